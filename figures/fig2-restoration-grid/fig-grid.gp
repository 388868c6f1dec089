set terminal pngcairo enhanced font 'Sans,10' size 1100,1000
set output 'fig-grid.png'
set multiplot layout 4,3 title '64x64 crops, seed 42'
unset border
unset tics
unset key
set size ratio -1
set lmargin 0.5
set rmargin 0.5
set tmargin 0.5
set bmargin 2.4
set xlabel 'inpainting: input 16.17' offset 0,0.2 font ',9'
plot 'fig-grid-data/r0c0.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel 'dense 32.24' offset 0,0.2 font ',9'
plot 'fig-grid-data/r0c1.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel '59.0% 33.16' offset 0,0.2 font ',9'
plot 'fig-grid-data/r0c2.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel 'sr-x4: input 29.60' offset 0,0.2 font ',9'
plot 'fig-grid-data/r1c0.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel 'dense 35.25' offset 0,0.2 font ',9'
plot 'fig-grid-data/r1c1.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel '59.0% 36.65' offset 0,0.2 font ',9'
plot 'fig-grid-data/r1c2.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel 'sr-x8: input 22.95' offset 0,0.2 font ',9'
plot 'fig-grid-data/r2c0.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel 'dense 32.39' offset 0,0.2 font ',9'
plot 'fig-grid-data/r2c1.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel '59.0% 30.55' offset 0,0.2 font ',9'
plot 'fig-grid-data/r2c2.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel 'denoising: input 21.26' offset 0,0.2 font ',9'
plot 'fig-grid-data/r3c0.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel 'dense 27.71' offset 0,0.2 font ',9'
plot 'fig-grid-data/r3c1.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel '59.0% 27.63' offset 0,0.2 font ',9'
plot 'fig-grid-data/r3c2.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
unset multiplot
unset output