/* pe-sane-frame-source.h: a PeFrameSource on an open SANE device (internal)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "pe-frame-source.h"

G_BEGIN_DECLS

#define PE_TYPE_SANE_FRAME_SOURCE (pe_sane_frame_source_get_type ())
G_DECLARE_FINAL_TYPE (PeSaneFrameSource, pe_sane_frame_source, PE, SANE_FRAME_SOURCE, GObject)

/* On the SANE thread: sane_open (@device_name); NULL with *@status set when it fails. The
 * device is closed (sane_close) when the object is finalized, which must also happen on the
 * SANE thread. */
PeSaneFrameSource *pe_sane_frame_source_open (const char  *device_name,
                                              SANE_Status *status);

G_END_DECLS
