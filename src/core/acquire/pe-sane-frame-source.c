/* pe-sane-frame-source.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "pe-sane-frame-source.h"
#include "pe-sane-worker.h"

struct _PeSaneFrameSource
{
  GObject     parent_instance;
  SANE_Handle handle;
};

static void frame_source_iface_init (PeFrameSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PeSaneFrameSource, pe_sane_frame_source, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PE_TYPE_FRAME_SOURCE,
                                                      frame_source_iface_init))

static void
pe_sane_frame_source_finalize (GObject *object)
{
  PeSaneFrameSource *self = (PeSaneFrameSource *) object;

  g_assert (_pe_sane_worker_is_sane_thread ());

  if (self->handle != NULL)
    sane_close (self->handle);

  G_OBJECT_CLASS (pe_sane_frame_source_parent_class)->finalize (object);
}

static void
pe_sane_frame_source_class_init (PeSaneFrameSourceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pe_sane_frame_source_finalize;
}

static void
pe_sane_frame_source_init (PeSaneFrameSource *self)
{
}

static const SANE_Option_Descriptor *
sane_source_get_option_descriptor (PeFrameSource *source,
                                   SANE_Int       option)
{
  return sane_get_option_descriptor (PE_SANE_FRAME_SOURCE (source)->handle, option);
}

static SANE_Status
sane_source_control_option (PeFrameSource *source,
                            SANE_Int       option,
                            SANE_Action    action,
                            void          *value,
                            SANE_Int      *info)
{
  return sane_control_option (PE_SANE_FRAME_SOURCE (source)->handle, option, action, value,
                              info);
}

static SANE_Status
sane_source_start (PeFrameSource *source)
{
  return sane_start (PE_SANE_FRAME_SOURCE (source)->handle);
}

static SANE_Status
sane_source_get_parameters (PeFrameSource   *source,
                            SANE_Parameters *params)
{
  return sane_get_parameters (PE_SANE_FRAME_SOURCE (source)->handle, params);
}

static SANE_Status
sane_source_read (PeFrameSource *source,
                  SANE_Byte     *data,
                  SANE_Int       max_length,
                  SANE_Int      *length)
{
  return sane_read (PE_SANE_FRAME_SOURCE (source)->handle, data, max_length, length);
}

static void
sane_source_cancel (PeFrameSource *source)
{
  sane_cancel (PE_SANE_FRAME_SOURCE (source)->handle);
}

static void
frame_source_iface_init (PeFrameSourceInterface *iface)
{
  iface->get_option_descriptor = sane_source_get_option_descriptor;
  iface->control_option = sane_source_control_option;
  iface->start = sane_source_start;
  iface->get_parameters = sane_source_get_parameters;
  iface->read = sane_source_read;
  iface->cancel = sane_source_cancel;
}

PeSaneFrameSource *
pe_sane_frame_source_open (const char  *device_name,
                           SANE_Status *status)
{
  SANE_Handle handle = NULL;

  g_return_val_if_fail (device_name != NULL, NULL);
  g_assert (_pe_sane_worker_is_sane_thread ());

  *status = sane_open (device_name, &handle);
  if (*status != SANE_STATUS_GOOD)
    return NULL;

  {
    PeSaneFrameSource *self = g_object_new (PE_TYPE_SANE_FRAME_SOURCE, NULL);

    self->handle = handle;
    return self;
  }
}
