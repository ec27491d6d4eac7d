/* pe-frame-source.h: what the scan loop reads pages from (internal to the acquire stage)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The scan loop in pe-scanner.c talks to an open device only through this interface, whose
 * calls are SANE's per-handle calls one to one. PeSaneFrameSource forwards them to a real SANE
 * handle; PeRecordedFrames plays back recorded pages, so that what no simulated SANE backend
 * offers (a duplex feeder, a device unplugged in the middle of a batch) goes through the same
 * loop in tests. All calls are made on the SANE thread.
 */
#pragma once

#include <gio/gio.h>
#include <sane/sane.h>

G_BEGIN_DECLS

#define PE_TYPE_FRAME_SOURCE (pe_frame_source_get_type ())
G_DECLARE_INTERFACE (PeFrameSource, pe_frame_source, PE, FRAME_SOURCE, GObject)

struct _PeFrameSourceInterface
{
  GTypeInterface parent_iface;

  const SANE_Option_Descriptor *(*get_option_descriptor) (PeFrameSource    *self,
                                                          SANE_Int          option);
  SANE_Status                   (*control_option)        (PeFrameSource    *self,
                                                          SANE_Int          option,
                                                          SANE_Action       action,
                                                          void             *value,
                                                          SANE_Int         *info);
  SANE_Status                   (*start)                 (PeFrameSource    *self);
  SANE_Status                   (*get_parameters)        (PeFrameSource    *self,
                                                          SANE_Parameters  *params);
  SANE_Status                   (*read)                  (PeFrameSource    *self,
                                                          SANE_Byte        *data,
                                                          SANE_Int          max_length,
                                                          SANE_Int         *length);
  void                          (*cancel)                (PeFrameSource    *self);
};

const SANE_Option_Descriptor *pe_frame_source_get_option_descriptor (PeFrameSource   *self,
                                                                     SANE_Int         option);
SANE_Status                   pe_frame_source_control_option        (PeFrameSource   *self,
                                                                     SANE_Int         option,
                                                                     SANE_Action      action,
                                                                     void            *value,
                                                                     SANE_Int        *info);
SANE_Status                   pe_frame_source_start                 (PeFrameSource   *self);
SANE_Status                   pe_frame_source_get_parameters        (PeFrameSource   *self,
                                                                     SANE_Parameters *params);
SANE_Status                   pe_frame_source_read                  (PeFrameSource   *self,
                                                                     SANE_Byte       *data,
                                                                     SANE_Int         max_length,
                                                                     SANE_Int        *length);
void                          pe_frame_source_cancel                (PeFrameSource   *self);

G_END_DECLS
