set terminal svg enhanced font 'Sans,10' size 860,440 background '#ffffff'
set output 'figures/fig1-size-tradeoff/fig-size-inpainting.svg'
set xlabel 'trainable parameters'
set ylabel 'PSNR (dB), best over steps'
set grid lc rgb '#dddddd'
set key outside right top box opaque
set logscale x
set label 99 '64x64 crop of chelsea, text mask, 93.7 % known, 250 steps, seed 42' at graph 0.01, graph 0.97 left font ',8' tc rgb '#555555'
$s0 << EOD
2217831.0 27.93627503773716
1422674.0 28.777471632927167
913774.0 28.331471586898434
588078.0 28.75283724028496
EOD

$s1 << EOD
1776.0 26.70248509640574
6624.0 26.829331711401405
25536.0 26.864515427428874
100224.0 27.19720539126397
588744.0 26.58342414421452
913761.0 26.912050760238102
EOD

plot $s0 using 1:2 with linespoints pt 7 ps 0.8 lw 2 lc rgb '#0072B2' title 'dense DIP and LIPs (IMP)', \
     $s1 using 1:2 with linespoints pt 8 ps 0.8 lw 2 lc rgb '#D55E00' title 'deep decoders'
unset output