/* pe-folder-target.h: delivery into a folder, PDF plus JSON sidecar
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "pe-target.h"

G_BEGIN_DECLS

#define PE_TYPE_FOLDER_TARGET (pe_folder_target_get_type ())
G_DECLARE_FINAL_TYPE (PeFolderTarget, pe_folder_target, PE, FOLDER_TARGET, GObject)

PeFolderTarget *pe_folder_target_new     (const char     *dir);
const char     *pe_folder_target_get_dir (PeFolderTarget *self);

G_END_DECLS
