set terminal pngcairo enhanced font 'Sans,10' size 720,260
set output 'fig-samples.png'
set multiplot layout 1,1
unset border
unset tics
unset key
set size ratio -1
set lmargin 0.5
set rmargin 0.5
set tmargin 0.5
set bmargin 2.4
set xlabel 'G(z), z ~ N(0, I)' offset 0,0.2 font ',9'
plot 'fig-samples-data/r0c0.rgb' binary array=(1378,174) flipy format='%uchar' with rgbimage
unset multiplot
unset output