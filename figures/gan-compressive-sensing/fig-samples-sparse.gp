set terminal pngcairo enhanced font 'Sans,10' size 720,330
set output 'fig-samples-sparse.png'
set multiplot layout 3,1
unset border
unset tics
unset key
set size ratio -1
set lmargin 0.5
set rmargin 0.5
set tmargin 0.5
set bmargin 2.4
set xlabel 'dense (round 0)' offset 0,0.2 font ',9'
plot 'fig-samples-sparse-data/r0c0.rgb' binary array=(930,60) flipy format='%uchar' with rgbimage
set xlabel 'IMP, 67 % pruned' offset 0,0.2 font ',9'
plot 'fig-samples-sparse-data/r1c0.rgb' binary array=(930,60) flipy format='%uchar' with rgbimage
set xlabel 'random, 67 % pruned' offset 0,0.2 font ',9'
plot 'fig-samples-sparse-data/r2c0.rgb' binary array=(930,60) flipy format='%uchar' with rgbimage
unset multiplot
unset output