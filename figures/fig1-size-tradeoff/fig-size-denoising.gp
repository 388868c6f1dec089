set terminal svg enhanced font 'Sans,10' size 860,440 background '#ffffff'
set output 'fig-size-denoising.svg'
set xlabel 'trainable parameters'
set ylabel 'PSNR (dB), best over steps'
set grid lc rgb '#dddddd'
set key outside right top box opaque
set logscale x
set label 99 '64x64 crop of astronaut, σ 25, 250 steps, seed 42' at graph 0.01, graph 0.97 left font ',8' tc rgb '#555555'
$s0 << EOD
2217831.0 23.78540386527254
1422674.0 24.023999835320925
913774.0 24.03527379813545
588078.0 24.246066998651173
EOD

$s1 << EOD
1776.0 19.755429043204572
6624.0 20.752246762492756
25536.0 21.094352652057697
100224.0 20.64428376042744
588744.0 20.756128341065562
913761.0 20.25647995293122
EOD

plot $s0 using 1:2 with linespoints pt 7 ps 0.8 lw 2 lc rgb '#0072B2' title 'dense DIP and LIPs (IMP)', \
     $s1 using 1:2 with linespoints pt 8 ps 0.8 lw 2 lc rgb '#D55E00' title 'deep decoders'
unset output