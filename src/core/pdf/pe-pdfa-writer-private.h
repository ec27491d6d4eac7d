/* pe-pdfa-writer-private.h: internals of PePdfaWriter for the tests and the benchmark
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "pe-pdfa-writer.h"

G_BEGIN_DECLS

/* Microseconds spent so far in adding pages, and the part of it that went into encoding the
 * images (G4, JPEG, Flate, MRC separation); the rest is writing. */
void  _pe_pdfa_writer_get_timing  (PePdfaWriter  *self,
                                   gint64        *add_usec,
                                   gint64        *encode_usec);

G_END_DECLS
