/* pe-application.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "pe-pipeline.h"

G_BEGIN_DECLS

#define PE_TYPE_APPLICATION (pe_application_get_type ())
G_DECLARE_FINAL_TYPE (PeApplication, pe_application, PE, APPLICATION, AdwApplication)

/* setlocale() and the gettext domain. PE_LOCALEDIR, when set, replaces the installed
 * locale directory so tests can use the catalogue in the build tree. Call before
 * anything translates. */
void           pe_application_init_i18n      (void);

PeApplication *pe_application_new            (void);
/* The batch store shared by all windows, opened on first use in $PE_STORE_DIR or
 * $XDG_DATA_HOME/posteingang. */
PePipeline    *pe_application_get_pipeline   (PeApplication  *self,
                                              GError        **error);

G_END_DECLS
