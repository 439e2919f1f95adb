; SynSense Xylo's integer-and-fire neuron as xylosim 0.1.3 computes it
; (`models::xylo`), as a neuron program: bit-identical to the native model.
program xylo_iaf

param dash_mem     u8
param dash_syn     u8
param dash_syn2    u8
param n_syn        u8     ; synaptic currents in use (1 or 2)
param threshold    s16
param bias         s16
param max_spikes   u8     ; spikes per step at most (31 hidden, 1 readout)
param weight_shift s8

; every event is a saturating 16-bit add onto Isyn, in arrival order
chan syn  onto s16 shl weight_shift
chan syn2 onto s16 shl weight_shift

state isyn  s16
state isyn2 s16
state vmem  s16

temp x   s16
temp d   s16
temp sum s32
temp dm  s16
temp nd  s32
temp c   u1
temp m   s16
temp t   s32
temp y   s32
temp r   s32
temp dv  s16
temp v   s16
temp n   u8

    ; this step's events, then the current's shift decay (never past 0)
    fold    x, syn, isyn
    sdec    d, x, dash_syn
    sub.w   isyn, x, d
    mov     sum, isyn
    if n_syn >= 2
        fold    x, syn2, isyn2
        sdec    d, x, dash_syn2
        sub.w   isyn2, x, d
        add     sum, sum, isyn2
    end
    ; dV = to_i16(sat_add16(-decay(Vmem), sum)), with xylosim's sat_add16
    ; (m = y >= 0 ? 32767 : -32768; |m - x| > |y| ? x + y : m), since
    ; -decay(-32768) = 32768 lies outside i16
    sdec    dm, vmem, dash_mem
    neg     nd, dm
    ge      c, sum, 0
    sel     m, c, 32767, -32768
    sub     t, m, nd
    abs     t, t
    abs     y, sum
    gt      c, t, y
    add     r, nd, sum
    sel     r, c, r, m
    mov.w   dv, r
    ; with both terms in i16, sat_add16 is a saturating add
    add.s   dv, dv, bias
    add.s   v, vmem, dv
    ; subtractive reset, several spikes per step
    loop 31
        break if v < threshold
        break if n >= max_spikes
        add     n, n, 1
        sub.w   v, v, threshold
    end
    mov     vmem, v
    emit    n
