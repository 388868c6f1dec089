set terminal svg enhanced font 'Sans,10' size 860,440 background '#ffffff'
set output 'fig-size-sr-x8.svg'
set xlabel 'trainable parameters'
set ylabel 'Y-PSNR (dB), best over steps'
set grid lc rgb '#dddddd'
set key outside right top box opaque
set logscale x
set label 99 '64x64 crop of coffee, x8, 250 steps, seed 42' at graph 0.01, graph 0.97 left font ',8' tc rgb '#555555'
$s0 << EOD
2217831.0 29.07117378897032
1422674.0 28.23220498109088
913774.0 28.52351678993111
588078.0 30.00087249662405
EOD

$s1 << EOD
1776.0 27.53887274088521
6624.0 27.160881806910723
25536.0 27.57780673733741
100224.0 26.832770684918025
588744.0 27.63194586344101
913761.0 26.85851577851104
EOD

plot $s0 using 1:2 with linespoints pt 7 ps 0.8 lw 2 lc rgb '#0072B2' title 'dense DIP and LIPs (IMP)', \
     $s1 using 1:2 with linespoints pt 8 ps 0.8 lw 2 lc rgb '#D55E00' title 'deep decoders'
unset output