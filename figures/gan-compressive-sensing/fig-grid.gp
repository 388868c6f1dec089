set terminal pngcairo enhanced font 'Sans,10' size 560,480
set output 'fig-grid.png'
set multiplot layout 5,6
unset border
unset tics
unset key
set size ratio -1
set lmargin 0.5
set rmargin 0.5
set tmargin 0.5
set bmargin 2.4
set xlabel 'truth' offset 0,0.2 font ',9'
plot 'fig-grid-data/r0c0.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel 'Lasso' offset 0,0.2 font ',9'
plot 'fig-grid-data/r0c1.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel 'dense' offset 0,0.2 font ',9'
plot 'fig-grid-data/r0c2.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel '20 %' offset 0,0.2 font ',9'
plot 'fig-grid-data/r0c3.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel '49 %' offset 0,0.2 font ',9'
plot 'fig-grid-data/r0c4.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel '67 %' offset 0,0.2 font ',9'
plot 'fig-grid-data/r0c5.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel 'truth' offset 0,0.2 font ',9'
plot 'fig-grid-data/r1c0.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel 'Lasso' offset 0,0.2 font ',9'
plot 'fig-grid-data/r1c1.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel 'dense' offset 0,0.2 font ',9'
plot 'fig-grid-data/r1c2.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel '20 %' offset 0,0.2 font ',9'
plot 'fig-grid-data/r1c3.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel '49 %' offset 0,0.2 font ',9'
plot 'fig-grid-data/r1c4.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel '67 %' offset 0,0.2 font ',9'
plot 'fig-grid-data/r1c5.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel 'truth' offset 0,0.2 font ',9'
plot 'fig-grid-data/r2c0.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel 'Lasso' offset 0,0.2 font ',9'
plot 'fig-grid-data/r2c1.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel 'dense' offset 0,0.2 font ',9'
plot 'fig-grid-data/r2c2.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel '20 %' offset 0,0.2 font ',9'
plot 'fig-grid-data/r2c3.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel '49 %' offset 0,0.2 font ',9'
plot 'fig-grid-data/r2c4.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel '67 %' offset 0,0.2 font ',9'
plot 'fig-grid-data/r2c5.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel 'truth' offset 0,0.2 font ',9'
plot 'fig-grid-data/r3c0.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel 'Lasso' offset 0,0.2 font ',9'
plot 'fig-grid-data/r3c1.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel 'dense' offset 0,0.2 font ',9'
plot 'fig-grid-data/r3c2.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel '20 %' offset 0,0.2 font ',9'
plot 'fig-grid-data/r3c3.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel '49 %' offset 0,0.2 font ',9'
plot 'fig-grid-data/r3c4.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel '67 %' offset 0,0.2 font ',9'
plot 'fig-grid-data/r3c5.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel 'truth' offset 0,0.2 font ',9'
plot 'fig-grid-data/r4c0.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel 'Lasso' offset 0,0.2 font ',9'
plot 'fig-grid-data/r4c1.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel 'dense' offset 0,0.2 font ',9'
plot 'fig-grid-data/r4c2.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel '20 %' offset 0,0.2 font ',9'
plot 'fig-grid-data/r4c3.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel '49 %' offset 0,0.2 font ',9'
plot 'fig-grid-data/r4c4.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel '67 %' offset 0,0.2 font ',9'
plot 'fig-grid-data/r4c5.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
unset multiplot
unset output