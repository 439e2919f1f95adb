; The configurable integer LIF/IF neuron of `models::lif`, as a neuron program.
; Bit-identical to the native model for every checked parameter set
; (tests/equivalence.rs); the step order is the native model's, numbered alike.
program lif

param v_decay     u16     ; 12-bit leak toward v_rest (0 = IF)
param v_rest      s32
param threshold   s32
param strict      u1      ; fire on v > threshold instead of v >= threshold
param v_reset     s32
param refr_steps  u16
param drops       u1      ; a refractory step discards its input
param bias        s32
param syn_decay0  u16
param syn_decay1  u16
param current     u1      ; exponential currents (else delta synapses)
param lo          s32     ; the state range -(2^(state_bits-1)) ..
param hi          s32     ; .. 2^(state_bits-1) - 1, written by the mapper

chan a_exc sat s32
chan a_inh sat s32

state v     s32
state i_exc s32
state i_inh s32

temp t    s64
temp vn   s32
temp fire u1
temp skip u1

    ; 1.-2. input, unless this is a refractory step that drops it
    and     skip, refr, drops
    if skip == 0
        add     t, i_exc, a_exc
        clamp   i_exc, t, lo, hi
        add     t, i_inh, a_inh
        clamp   i_inh, t, lo, hi
    end
    ; 3. a refractory step holds v (the machine counts `refractory` down)
    if refr == 0
        ; 4. leak of the previous potential, 5. input and bias
        sub     t, v, v_rest
        decay12 t, t, v_decay
        add     t, t, v_rest
        add     t, t, i_exc
        add     t, t, i_inh
        add     t, t, bias
        clamp   vn, t, lo, hi
        ; 6. threshold and reset
        ge      fire, vn, threshold
        if strict
            gt  fire, vn, threshold
        end
        if fire
            clamp   v, v_reset, lo, hi
            refract refr_steps
            emit    1
        else
            mov     v, vn
        end
    end
    ; 7. synaptic currents
    if current
        decay12 i_exc, i_exc, syn_decay0
        decay12 i_inh, i_inh, syn_decay1
    else
        if refr == 0
            mov i_exc, 0
            mov i_inh, 0
        end
    end
