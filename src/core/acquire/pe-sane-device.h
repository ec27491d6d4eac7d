/* pe-sane-device.h: SANE device discovery
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  char *name;     /* SANE device name, e.g. "test:0", "net:127.0.0.1:test:0" */
  char *vendor;
  char *model;
  char *type;     /* "flatbed scanner", "virtual device", … */
} PeDeviceInfo;

void        pe_device_info_free          (PeDeviceInfo         *info);
char       *pe_device_info_dup_label     (const PeDeviceInfo   *info);  /* "Vendor Model (name)" */

/* Blocking: runs sane_get_devices() on the SANE thread. Returns PeDeviceInfo elements. */
GPtrArray  *pe_sane_list_devices         (gboolean              local_only,
                                          GCancellable         *cancellable,
                                          GError              **error);
void        pe_sane_list_devices_async   (gboolean              local_only,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data);
GPtrArray  *pe_sane_list_devices_finish  (GAsyncResult         *result,
                                          GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PeDeviceInfo, pe_device_info_free)

G_END_DECLS
