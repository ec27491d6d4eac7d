/* pe-frame-source.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "pe-frame-source.h"

G_DEFINE_INTERFACE (PeFrameSource, pe_frame_source, G_TYPE_OBJECT)

static void
pe_frame_source_default_init (PeFrameSourceInterface *iface)
{
}

const SANE_Option_Descriptor *
pe_frame_source_get_option_descriptor (PeFrameSource *self,
                                       SANE_Int       option)
{
  g_return_val_if_fail (PE_IS_FRAME_SOURCE (self), NULL);

  return PE_FRAME_SOURCE_GET_IFACE (self)->get_option_descriptor (self, option);
}

SANE_Status
pe_frame_source_control_option (PeFrameSource *self,
                                SANE_Int       option,
                                SANE_Action    action,
                                void          *value,
                                SANE_Int      *info)
{
  g_return_val_if_fail (PE_IS_FRAME_SOURCE (self), SANE_STATUS_INVAL);

  if (info != NULL)
    *info = 0;
  return PE_FRAME_SOURCE_GET_IFACE (self)->control_option (self, option, action, value, info);
}

SANE_Status
pe_frame_source_start (PeFrameSource *self)
{
  g_return_val_if_fail (PE_IS_FRAME_SOURCE (self), SANE_STATUS_INVAL);

  return PE_FRAME_SOURCE_GET_IFACE (self)->start (self);
}

SANE_Status
pe_frame_source_get_parameters (PeFrameSource   *self,
                                SANE_Parameters *params)
{
  g_return_val_if_fail (PE_IS_FRAME_SOURCE (self), SANE_STATUS_INVAL);

  return PE_FRAME_SOURCE_GET_IFACE (self)->get_parameters (self, params);
}

SANE_Status
pe_frame_source_read (PeFrameSource *self,
                      SANE_Byte     *data,
                      SANE_Int       max_length,
                      SANE_Int      *length)
{
  g_return_val_if_fail (PE_IS_FRAME_SOURCE (self), SANE_STATUS_INVAL);

  *length = 0;
  return PE_FRAME_SOURCE_GET_IFACE (self)->read (self, data, max_length, length);
}

void
pe_frame_source_cancel (PeFrameSource *self)
{
  g_return_if_fail (PE_IS_FRAME_SOURCE (self));

  PE_FRAME_SOURCE_GET_IFACE (self)->cancel (self);
}
