/* geo.c — great-circle geometry on a spherical Earth and the solar zenith angle. */
/* SPDX-License-Identifier: MIT */
#include "detect/detect.h"

#include <math.h>

/* Mean Earth radius (IUGG R1), the sphere every fg_geo_* function uses. */
#define FG_EARTH_R 6371008.8

static const double k_pi = 3.14159265358979323846;

static double rad(double deg) { return deg * k_pi / 180.0; }
static double deg(double r) { return r * 180.0 / k_pi; }

/* Wraps a longitude into [-180, 180). */
static double wrap_lon(double lon)
{
    lon = fmod(lon + 180.0, 360.0);
    if (lon < 0.0)
        lon += 360.0;
    return lon - 180.0;
}

void fg_geo_destination(double lat, double lon, double bearing_deg, double distance_m,
                        double *lat_out, double *lon_out)
{
    double p1 = rad(lat), l1 = rad(lon), th = rad(bearing_deg);
    double d = distance_m / FG_EARTH_R; /* angular distance */
    double sp2 = sin(p1) * cos(d) + cos(p1) * sin(d) * cos(th);
    if (sp2 > 1.0)
        sp2 = 1.0;
    if (sp2 < -1.0)
        sp2 = -1.0;
    double p2 = asin(sp2);
    double l2 = l1 + atan2(sin(th) * sin(d) * cos(p1), cos(d) - sin(p1) * sp2);
    if (lat_out)
        *lat_out = deg(p2);
    if (lon_out)
        *lon_out = wrap_lon(deg(l2));
}

double fg_geo_distance(double lat1, double lon1, double lat2, double lon2)
{
    /* Haversine form: well conditioned for the short distances we use (metres to km). */
    double dp = rad(lat2 - lat1), dl = rad(lon2 - lon1);
    double a = sin(dp / 2) * sin(dp / 2) + cos(rad(lat1)) * cos(rad(lat2)) * sin(dl / 2) * sin(dl / 2);
    if (a > 1.0)
        a = 1.0;
    return 2.0 * FG_EARTH_R * atan2(sqrt(a), sqrt(1.0 - a));
}

double fg_geo_bearing(double lat1, double lon1, double lat2, double lon2)
{
    double p1 = rad(lat1), p2 = rad(lat2), dl = rad(lon2 - lon1);
    double y = sin(dl) * cos(p2);
    double x = cos(p1) * sin(p2) - sin(p1) * cos(p2) * cos(dl);
    double b = fmod(deg(atan2(y, x)) + 360.0, 360.0);
    return b >= 360.0 ? 0.0 : b;
}

/* Days since 1970-01-01 → civil year and day of year (1-based), proleptic Gregorian. */
static void civil_doy(int64_t days, int *year, int *doy)
{
    /* Shift to 0000-03-01 so the leap day ends each 400-year era. */
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t d_era = z - era * 146097;                                    /* 0..146096 */
    int64_t y_era = (d_era - d_era / 1460 + d_era / 36524 - d_era / 146096) / 365; /* 0..399 */
    int64_t d_year = d_era - (365 * y_era + y_era / 4 - y_era / 100);    /* from March 1 */
    int64_t y = y_era + era * 400;
    int64_t mp = (5 * d_year + 2) / 153;                                 /* March = 0 */
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2)
        y += 1;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    /* d_year counts from March 1; January/February belong to the next civil year. */
    int64_t jan1_offset = 306; /* days from March 1 to January 1 */
    int64_t doy0 = d_year >= jan1_offset ? d_year - jan1_offset : d_year + 59 + leap;
    *year = (int)y;
    *doy = (int)doy0 + 1;
}

double fg_solar_zenith(int64_t t_utc, double lat, double lon)
{
    /* NOAA Global Monitoring Laboratory, "General Solar Position Calculations"
     * (low-precision Fourier series after Spencer 1971): fractional year γ,
     * equation of time and declination, then the hour angle from true solar
     * time. Accuracy about 0.1–0.2° — ample for the day/night split at 85°. */
    int64_t days = t_utc >= 0 ? t_utc / 86400 : -((-t_utc + 86399) / 86400);
    double sec_of_day = (double)(t_utc - days * 86400);
    int year, doy;
    civil_doy(days, &year, &doy);
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    double hour = sec_of_day / 3600.0;
    double g = 2.0 * k_pi / (leap ? 366.0 : 365.0) * (doy - 1 + (hour - 12.0) / 24.0);

    double eqtime = 229.18 * (0.000075 + 0.001868 * cos(g) - 0.032077 * sin(g) -
                              0.014615 * cos(2 * g) - 0.040849 * sin(2 * g)); /* minutes */
    double decl = 0.006918 - 0.399912 * cos(g) + 0.070257 * sin(g) - 0.006758 * cos(2 * g) +
                  0.000907 * sin(2 * g) - 0.002697 * cos(3 * g) + 0.00148 * sin(3 * g); /* rad */

    /* True solar time (minutes) at longitude lon for a UTC clock. */
    double tst = sec_of_day / 60.0 + eqtime + 4.0 * lon;
    double ha = rad(tst / 4.0 - 180.0);
    double p = rad(lat);
    double cz = sin(p) * sin(decl) + cos(p) * cos(decl) * cos(ha);
    if (cz > 1.0)
        cz = 1.0;
    if (cz < -1.0)
        cz = -1.0;
    return deg(acos(cz));
}
