/* pe-sim-feeder.h: a stack of image files "scanned" through SANE's pnm backend
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The demo and the tests scan sample pages through the real SANE code path: each page is
 * converted to PNM once, and pe_sim_feeder_sheet_func() hands the pnm backend that file's name
 * before each sheet. The acquisition code itself stays generic.
 */
#pragma once

#include <gio/gio.h>

#include "pe-acquired-page.h"

G_BEGIN_DECLS

#define PE_TYPE_SIM_FEEDER (pe_sim_feeder_get_type ())
G_DECLARE_FINAL_TYPE (PeSimFeeder, pe_sim_feeder, PE, SIM_FEEDER, GObject)

/* Converts each of @files (PNG, TIFF, JPEG, …: anything Leptonica reads) into a PBM, PGM or
 * PPM in a new temporary directory that is removed with the feeder. Blocking. */
PeSimFeeder *pe_sim_feeder_new            (const char *const  *files,
                                           GError            **error);
guint        pe_sim_feeder_get_n_sheets   (PeSimFeeder        *self);
/* The PNM file for @sheet (1-based). */
const char  *pe_sim_feeder_get_pnm_path   (PeSimFeeder        *self,
                                           guint               sheet);
/* The resolution of the original file for @sheet, 0 when it had none. */
guint        pe_sim_feeder_get_dpi        (PeSimFeeder        *self,
                                           guint               sheet);

/* A PeSheetFunc (pass the feeder as user data): {"filename=…", "resolution=DPI", NULL} for
 * each sheet, NULL after the last. The pnm backend only offers 75…300 dpi in steps of 15 and
 * reports what was set, not what the file has, so a sample at another resolution gets the
 * nearest; pe_sim_feeder_fix_resolution() puts the true value back. */
char       **pe_sim_feeder_sheet_func     (guint               sheet,
                                           gpointer            feeder);
/* Sets @page's PIX resolution to that of the original file of @page->sheet. */
void         pe_sim_feeder_fix_resolution (PeSimFeeder        *self,
                                           PeAcquiredPage     *page);

G_END_DECLS
