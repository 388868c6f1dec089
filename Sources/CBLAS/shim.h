// OpenBLAS's cblas.h also declares openblas_set_num_threads and openblas_get_corename.
#include <cblas.h>

// LAPACK's symmetric eigensolver, which OpenBLAS exports but Debian's openblas headers do
// not declare (no lapack.h): the Fréchet distance between feature statistics needs the
// square root of a symmetric positive semi-definite matrix.
void dsyev_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda,
            double *w, double *work, const int *lwork, int *info);
