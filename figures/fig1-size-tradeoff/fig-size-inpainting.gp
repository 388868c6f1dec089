set terminal svg enhanced font 'Sans,10' size 860,440 background '#ffffff'
set output 'fig-size-inpainting.svg'
set xlabel 'trainable parameters'
set ylabel 'PSNR (dB), best over steps'
set grid lc rgb '#dddddd'
set key outside right top box opaque
set logscale x
set label 99 '64x64 crop of chelsea, text mask, 87.6 % known, 250 steps, seed 42' at graph 0.01, graph 0.97 left font ',8' tc rgb '#555555'
$s0 << EOD
2217831.0 27.90594408926999
1422674.0 28.127330708635906
913774.0 28.57109422270422
588078.0 28.53703395641356
EOD

$s1 << EOD
1776.0 27.0292928162961
6624.0 26.644903083357928
25536.0 27.106669683014708
100224.0 27.21210725839064
588744.0 26.73000558026085
913761.0 26.670480960939578
EOD

plot $s0 using 1:2 with linespoints pt 7 ps 0.8 lw 2 lc rgb '#0072B2' title 'dense DIP and LIPs (IMP)', \
     $s1 using 1:2 with linespoints pt 8 ps 0.8 lw 2 lc rgb '#D55E00' title 'deep decoders'
unset output