/* planck.c — Planck's law, its inverse (brightness temperature) and sub-pixel fire mixing. */
/* SPDX-License-Identifier: MIT */
#include "detect/detect.h"

#include <math.h>

/* Radiation constants for spectral radiance per micrometre:
 * c1 = 2hc² = 1.191042e8 W µm⁴ m⁻² sr⁻¹, c2 = hc/k = 14387.752 µm K. */
#define FG_PLANCK_C1 1.191042e8
#define FG_PLANCK_C2 14387.752

double fg_planck_radiance(double wavelength_um, double temp_k)
{
    if (!(wavelength_um > 0.0) || isnan(temp_k))
        return NAN;
    if (temp_k <= 0.0)
        return 0.0;
    double l5 = pow(wavelength_um, 5.0);
    /* expm1 keeps precision in the Rayleigh–Jeans limit (c2/λT small). */
    return FG_PLANCK_C1 / (l5 * expm1(FG_PLANCK_C2 / (wavelength_um * temp_k)));
}

double fg_planck_bt(double wavelength_um, double radiance)
{
    if (!(wavelength_um > 0.0) || !(radiance > 0.0) || isinf(radiance))
        return NAN;
    double l5 = pow(wavelength_um, 5.0);
    /* T = c2 / (λ ln(1 + c1 / (λ⁵ L))); log1p for large L. */
    return FG_PLANCK_C2 / (wavelength_um * log1p(FG_PLANCK_C1 / (l5 * radiance)));
}

double fg_planck_mixed_bt(double wavelength_um, double fraction, double fire_k, double background_k)
{
    if (!(fraction >= 0.0 && fraction <= 1.0))
        return NAN;
    /* A pixel sees the area-weighted sum of the radiances of its parts; the
     * atmosphere is ignored (reference: active-fire.md, sub-pixel fire physics). */
    double l = fraction * fg_planck_radiance(wavelength_um, fire_k) +
               (1.0 - fraction) * fg_planck_radiance(wavelength_um, background_k);
    return fg_planck_bt(wavelength_um, l);
}
