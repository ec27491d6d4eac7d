/* pe-recorded-frames.h: a device that plays back recorded pages (for tests and benchmarks)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A PeFrameSource with a few SANE options (mode Lineart/Gray/Color, resolution 50…1200 dpi,
 * brightness -100…100 and, if given, a source list such as "Flatbed", "ADF Front",
 * "ADF Duplex") that returns the queued pages one per sane_start() and SANE_STATUS_NO_DOCS when
 * the queue is empty, like a feeder. Faults can be queued between pages. The pages are what
 * they are: mode and resolution are accepted and reported, not applied. Scan it through
 * pe_scanner_new_for_source(). Queue pages before a scan starts, not while it runs.
 */
#pragma once

#include <allheaders.h>

#include "pe-frame-source.h"

G_BEGIN_DECLS

#define PE_TYPE_RECORDED_FRAMES (pe_recorded_frames_get_type ())
G_DECLARE_FINAL_TYPE (PeRecordedFrames, pe_recorded_frames, PE, RECORDED_FRAMES, GObject)

/* @sources: the device's source names (NULL: no source option, like a plain flatbed). */
PeRecordedFrames *pe_recorded_frames_new              (const char *const *sources);
/* One page: a 1 bpp PIX becomes a 1-bit Gray frame, 8 bpp an 8-bit Gray frame, 32 bpp an
 * 8-bit RGB frame. */
void              pe_recorded_frames_add_pix          (PeRecordedFrames  *self,
                                                       PIX               *pix);
/* The next sane_start() fails with @status (JAMMED, COVER_OPEN, DEVICE_BUSY …). */
void              pe_recorded_frames_add_start_fault  (PeRecordedFrames  *self,
                                                       SANE_Status        status);
/* A page whose sane_read() fails with @status halfway through. */
void              pe_recorded_frames_add_read_fault   (PeRecordedFrames  *self,
                                                       PIX               *pix,
                                                       SANE_Status        status);
/* A page halfway through which the device is unplugged: that read and every later call fail
 * with SANE_STATUS_IO_ERROR. */
void              pe_recorded_frames_add_unplug       (PeRecordedFrames  *self,
                                                       PIX               *pix);
/* Pages and faults not yet played back. */
guint             pe_recorded_frames_get_n_queued     (PeRecordedFrames  *self);
/* The value last set for option @name ("mode", "resolution", "source", "brightness"), as
 * text; NULL for an unknown name. */
char             *pe_recorded_frames_dup_option       (PeRecordedFrames  *self,
                                                       const char        *name);

G_END_DECLS
