; Lava 0.10's fixed-point Delta neuron (PyDeltaModelFixed): a delta encoder
; of its input (`models::sigma_delta`), as a neuron program.
program delta

param vth        s32      ; effective: trunc(vth * 2^(spike_exp + state_exp))
param cum_error  u1
param exp        u8       ; spike_exp + state_exp: the input's left shift
param state_exp  u8

chan a wrap s64           ; the input (a unit synapse carries the payload itself)

state act     s32         ; the scaled input
state residue s32
state error   s32

temp x s32
temp d s32
temp s s32
temp e s32
temp p s32
temp f u1

    mov.w   x, a
    shl.w   x, x, exp
    ; the delta encoder, as in sigma_delta.nasm
    sub.w   d, x, act
    add.w   d, d, residue
    if cum_error
        add.w   error, error, d
        abs.w   e, error
        if e >= vth
            mov     s, d
        end
        abs.w   e, s
        if e > 0
            mov     error, 0
        end
    else
        abs.w   e, d
        if e >= vth
            mov     s, d
        end
    end
    sub.w   residue, d, s
    mov     act, x
    shr     p, s, state_exp
    ne      f, s, 0
    emit    f, p
