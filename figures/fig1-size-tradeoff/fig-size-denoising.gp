set terminal pngcairo enhanced font 'Sans,10' size 860,440
set output 'fig-size-denoising.png'
set xlabel 'trainable parameters'
set ylabel 'PSNR (dB), best over steps, mean over 3 seeds'
set grid lc rgb '#dddddd'
set key below
set bmargin 5
set logscale x
set xrange [96951.75400840225:2429527.5685841274]
set autoscale yfix
set offsets 0, 0, graph 0.05, graph 0.05
set tmargin 2.0
set label 99 '64x64 crop of astronaut, σ 25, 1100 steps (deep decoders 3000), seeds 42, 7, 1' at graph 0, graph 1 left offset 0, char 0.7 font ',8' tc rgb '#555555'
$s0 << EOD
106206.0 27.767660360227598
913774.0 27.701167119411792
2217831.0 28.0192245936162
EOD

$s1 << EOD
106524.0 27.529710112337288
EOD

plot $s0 using 1:2 with linespoints pt 7 ps 0.8 lw 2 lc rgb '#0072B2' title 'dense DIP and LIPs (IMP)', \
     $s1 using 1:2 with linespoints pt 8 ps 0.8 lw 2 lc rgb '#D55E00' title 'deep decoders'
unset output