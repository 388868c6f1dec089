set terminal pngcairo enhanced font 'Sans,10' size 900,560
set output 'fig-methods-denoising.png'
set grid lc rgb '#dddddd'
set style fill transparent solid 0.2 noborder
set xrange [49.29841409328639:68.78161966308821]
$b0 << EOD
58.154416625014484 27.701167119411792 0.2206852441162523
EOD

$b1 << EOD
59.040016878187295 27.747843640457234 0.14399664296107167
EOD

$b2 << EOD
59.925617131360106 27.85617401375571 0.2180999452853365
EOD

set xlabel 'sparsity of the convolution weights (%)'
set ylabel 'PSNR (dB), best over steps'
set key below
set bmargin 7
set yrange [27.429865343759673:28.459068151655597]
set label 99 '64x64 crop of astronaut, σ 25, 1100 steps, seed 42, 3 seeds' at graph 0.01, graph 0.96 left font ',8' tc rgb '#555555'
set object 1 rect from graph 0, first 27.71435845300578 to graph 1, first 28.324090734226623 behind fc rgb '#444444' fs transparent solid 0.1 noborder
plot $b0 using 1:2:3 with yerrorbars lc rgb '#0072B2' pt -1 lw 1.5 notitle, \
     $b1 using 1:2:3 with yerrorbars lc rgb '#D55E00' pt -1 lw 1.5 notitle, \
     $b2 using 1:2:3 with yerrorbars lc rgb '#009E73' pt -1 lw 1.5 notitle, \
     $b0 using 1:2 with points pt 7 ps 0.8 lw 2 lc rgb '#0072B2' title 'IMP (LIP)', \
     $b1 using 1:2 with points pt 8 ps 0.8 lw 2 lc rgb '#D55E00' title 'random', \
     $b2 using 1:2 with points pt 9 ps 0.8 lw 2 lc rgb '#009E73' title 'random, IMP''s layer sparsities', \
     28.0192245936162 with lines lw 1.5 dt 3 lc rgb '#444444' title 'dense DIP', \
     NaN with filledcurves lc rgb '#888888' title '± one std over 3 seeds'
unset output