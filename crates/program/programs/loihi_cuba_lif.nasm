; Loihi's current-based LIF as Lava 0.10's PyLifModelBitAcc computes it
; (`models::loihi`), as a neuron program: bit-identical to the native model.
program loihi_cuba_lif

param du         u16      ; current decay (the datapath decays by du + 1)
param dv         u16      ; voltage decay
param eff_vth    s64      ; vth << 6
param bias_mant  s32
param bias_exp   s32
param weight_exp s32      ; scales the step's weight SUM

chan a wrap s64           ; the step's effective weights, summed

state u s25               ; (-2^23, 2^23]
state v s24               ; [-(2^23 - 1), 2^23 - 1]

temp a_in s64
temp t    s64
temp x    s64
temp b    s64
temp k    s32
temp w    s24

    ash.s   a_in, a, weight_exp     ; the activation (saturating, as scale_exp)
    ash.s   t, a_in, 6              ; input scaled by 2^6 into the current register
    add     k, du, 1
    decay12 x, u, k
    add.s   t, x, t
    ; Lava's one conditional wrap of u into (-2^23, 2^23], done modulo 2^24:
    ; u = -wrap24(-t)
    sub.w   w, 0, t
    sub     u, 0, w
    ; the voltage uses the NEW current; the bias is recomputed every step
    decay12 x, v, dv
    add     t, x, u
    ash.s   b, bias_mant, bias_exp
    add.s   t, t, b
    clamp   t, t, -8388607, 8388607
    if t > eff_vth
        mov  v, 0                   ; u is not reset
        emit 1
    else
        mov  v, t
    end
