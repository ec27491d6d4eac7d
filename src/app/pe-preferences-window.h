/* pe-preferences-window.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define PE_TYPE_PREFERENCES_WINDOW (pe_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (PePreferencesWindow, pe_preferences_window, PE, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

PePreferencesWindow *pe_preferences_window_new (GtkWindow *transient_for);

G_END_DECLS
