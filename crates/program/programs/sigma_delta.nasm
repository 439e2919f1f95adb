; Lava 0.10's fixed-point SigmaDelta neuron (PySigmaDeltaModelFixed) behind
; its graded Dense (`models::sigma_delta`), as a neuron program.
; int32 everywhere, wrapping; nothing saturates.
program sigma_delta

param vth        s32      ; effective: trunc(vth * 2^(spike_exp + state_exp))
param bias       s32      ; effective, scaled alike
param relu       u1       ; act_mode RELU (else UNIT)
param cum_error  u1
param state_exp  u8
param weight_exp s8       ; the Dense's exponent on the step's sum
param graded     u1       ; the Dense's num_message_bits > 0

chan a wrap s64           ; weight * payload per event (graded), or weight

state a_in    s32         ; what the Dense sent
state sigma   s32
state act     s32
state residue s32
state error   s32

temp x s32
temp d s32
temp s s32
temp e s32
temp p s32
temp f u1

    ; the Dense: a graded sum is int32 before its exponent, a binary one after
    if graded
        mov.w   x, a
        ash.w   a_in, x, weight_exp
    else
        ash.w   a_in, a, weight_exp
    end
    add.w   sigma, sigma, a_in
    add.w   x, sigma, bias
    if relu
        max     x, x, 0
    end
    ; the delta encoder (`abs.w` into s32 is numpy's abs32: i32::MIN stays negative)
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
