set terminal pngcairo enhanced font 'Sans,10' size 720,300
set output 'fig-kernels.png'
set multiplot layout 1,3
unset border
unset tics
unset key
set size ratio -1
set lmargin 0.5
set rmargin 0.5
set tmargin 0.5
set bmargin 2.4
set xlabel 'after round 1 · 79 % kept' offset 0,0.2 font ',9'
plot 'fig-kernels-data/r0c0.rgb' binary array=(48,48) flipy format='%uchar' with rgbimage
set xlabel 'after round 2 · 63 % kept' offset 0,0.2 font ',9'
plot 'fig-kernels-data/r0c1.rgb' binary array=(48,48) flipy format='%uchar' with rgbimage
set xlabel 'after round 3 · 51 % kept' offset 0,0.2 font ',9'
plot 'fig-kernels-data/r0c2.rgb' binary array=(48,48) flipy format='%uchar' with rgbimage
unset multiplot
unset output