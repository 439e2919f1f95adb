//! Neuron models, each bit-exact with the reference it names.
