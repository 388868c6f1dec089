set terminal pngcairo enhanced font 'Sans,10' size 860,440
set output 'fig-rewinding.png'
set xlabel 'sparsity (%)'
set ylabel 'PSNR (dB), best over steps'
set grid lc rgb '#dddddd'
set key below
set bmargin 6
set xrange [58.44961670940542:59.63041704696917]
set autoscale yfix
set offsets 0, 0, graph 0.05, graph 0.05
set tmargin 2.0
set label 99 '64x64 crop of astronaut, σ 25, 1100 steps, seeds 42, 7, 1' at graph 0, graph 1 left offset 0, char 0.7 font ',8' tc rgb '#555555'
$s0 << EOD
59.040016878187295 27.701167119411792
EOD

$s1 << EOD
59.040016878187295 27.707073547918643
EOD

plot $s0 using 1:2 with linespoints pt 7 ps 0.8 lw 2 lc rgb '#0072B2' title 'rewind to θ0 (LIP)', \
     $s1 using 1:2 with linespoints pt 8 ps 0.8 lw 2 lc rgb '#D55E00' title 'late rewinding to step 25', \
     28.0192245936162 with lines lw 1.5 dt 3 lc rgb '#444444' title 'dense DIP'
unset output