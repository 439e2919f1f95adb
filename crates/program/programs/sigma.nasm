; Lava 0.10's fixed-point Sigma neuron (PySigmaModelFixed) behind its graded
; Dense (`models::sigma_delta`): it integrates and sends its sum every step.
program sigma

param weight_exp s8
param graded     u1

chan a wrap s64

state a_in  s32
state sigma s32

temp x s32
temp f u1

    if graded
        mov.w   x, a
        ash.w   a_in, x, weight_exp
    else
        ash.w   a_in, a, weight_exp
    end
    add.w   sigma, sigma, a_in
    ne      f, sigma, 0
    emit    f, sigma
