/* agraph_units.h — the units of the language, one table for the compiler (literals such as
 * `350ms`) and the runtime (`--param time=0.5s`). A value in a unit converts to the unit's base:
 *   frequency -> Hz, time -> seconds, gain -> dB. The program sees Hz, samples (seconds * SR) and
 *   linear gain (10^(dB/20)) respectively. */
#ifndef AGRAPH_UNITS_H
#define AGRAPH_UNITS_H

enum { AGRAPH_DIM_NONE, AGRAPH_DIM_FREQ, AGRAPH_DIM_TIME, AGRAPH_DIM_GAIN, AGRAPH_DIM_SAMPLES };

/*    UNIT(id,      spelling,  dimension,        factor to the base unit) */
#define AGRAPH_UNITS(UNIT)                                          \
    UNIT(U_HZ,      "Hz",      AGRAPH_DIM_FREQ,  1.0)               \
    UNIT(U_KHZ,     "kHz",     AGRAPH_DIM_FREQ,  1000.0)            \
    UNIT(U_MS,      "ms",      AGRAPH_DIM_TIME,  0.001)             \
    UNIT(U_S,       "s",       AGRAPH_DIM_TIME,  1.0)               \
    UNIT(U_DB,      "dB",      AGRAPH_DIM_GAIN,  1.0)               \
    UNIT(U_SAMPLES, "samples", AGRAPH_DIM_SAMPLES, 1.0)

#endif /* AGRAPH_UNITS_H */
