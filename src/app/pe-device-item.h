/* pe-device-item.h: one scanner in the device drop-down
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "pe-sane-device.h"

G_BEGIN_DECLS

#define PE_TYPE_DEVICE_ITEM (pe_device_item_get_type ())
G_DECLARE_FINAL_TYPE (PeDeviceItem, pe_device_item, PE, DEVICE_ITEM, GObject)

PeDeviceItem *pe_device_item_new             (const PeDeviceInfo *info);
const char   *pe_device_item_get_name        (PeDeviceItem       *self);
const char   *pe_device_item_get_label       (PeDeviceItem       *self);
const char   *pe_device_item_get_description (PeDeviceItem       *self);

G_END_DECLS
