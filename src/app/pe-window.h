/* pe-window.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "pe-application.h"
#include "pe-sim-feeder.h"

G_BEGIN_DECLS

#define PE_TYPE_WINDOW (pe_window_get_type ())
G_DECLARE_FINAL_TYPE (PeWindow, pe_window, PE, WINDOW, AdwApplicationWindow)

PeWindow   *pe_window_new            (PeApplication      *application);
/* The scanners found by the last refresh (PeDeviceItem) and the pages of the current batch
 * (PePageItem), in reading order (feed order, but a collated manual duplex run reads front 1,
 * back 1, front 2 …). */
GListModel *pe_window_get_devices    (PeWindow           *self);
GListModel *pe_window_get_pages      (PeWindow           *self);
/* Imports @paths (PNG, TIFF, JPEG, PDF) into the current batch, as the Import action does
 * after the file chooser; does nothing while another operation runs. */
void        pe_window_import_files   (PeWindow           *self,
                                      const char * const *paths);
/* The store id of the current batch, 0 before the first scan or import (and after a send). */
gint64      pe_window_get_batch_id   (PeWindow           *self);
/* TRUE while a scan, an import or a send is running. */
gboolean    pe_window_get_busy       (PeWindow           *self);
/* TRUE while the batch is being read and delivered (Send, or "process-while-scanning" during
 * a scan). */
gboolean    pe_window_get_processing (PeWindow           *self);
/* Scans "feed" these files through SANE's pnm backend (choose the device pnm:0): @fronts for
 * every pass, @backs (if not NULL) for the backs pass of a manual duplex run. NULL, NULL goes
 * back to the paper in the scanner. For tests and demonstrations. */
void        pe_window_set_sim_feeders (PeWindow          *self,
                                       PeSimFeeder       *fronts,
                                       PeSimFeeder       *backs);

G_END_DECLS
