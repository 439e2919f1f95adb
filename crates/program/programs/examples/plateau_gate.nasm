; Two compartments: a dendritic plateau gates somatic firing.
; The dendrite integrates its own input; crossing `dthr` starts a plateau of
; `plen` steps during which it "fires". The soma integrates and resets as an
; IF neuron, but its spikes leave the neuron only through the dendrite's gate.
program plateau_gate

param dthr s16
param plen u8
param sthr s16

chan soma_in wrap s16            ; channel 0: synapses onto the soma
chan dend_in wrap s16            ; channel 1: synapses onto the dendrite

comp dend to soma gate
state v       s16
state plateau u8
    add.s   v, v, dend_in
    if v >= dthr
        mov     plateau, plen
        mov     v, 0
    end
    if plateau > 0
        sub     plateau, plateau, 1    ; fits u8 without .w: the test proved plateau >= 1
        emit    1
    end

comp soma
state v s16
    add.s   v, v, soma_in
    if v >= sthr
        mov     v, 0
        emit    1
    end
