set terminal svg enhanced font 'Sans,10' size 860,440 background '#ffffff'
set output 'fig-size-sr-x4.svg'
set xlabel 'trainable parameters'
set ylabel 'Y-PSNR (dB), best over steps'
set grid lc rgb '#dddddd'
set key outside right top box opaque
set logscale x
set label 99 '64x64 crop of brick, x4, 250 steps, seed 42' at graph 0.01, graph 0.97 left font ',8' tc rgb '#555555'
$s0 << EOD
2217831.0 35.060688020530975
1422674.0 34.503943916604605
913774.0 35.63985807307601
588078.0 35.02034174119629
EOD

$s1 << EOD
1776.0 33.045546581829875
6624.0 34.1324844384371
25536.0 34.081696267745556
100224.0 33.80029202396105
588744.0 33.3154553025092
913761.0 33.66914206647424
EOD

plot $s0 using 1:2 with linespoints pt 7 ps 0.8 lw 2 lc rgb '#0072B2' title 'dense DIP and LIPs (IMP)', \
     $s1 using 1:2 with linespoints pt 8 ps 0.8 lw 2 lc rgb '#D55E00' title 'deep decoders'
unset output