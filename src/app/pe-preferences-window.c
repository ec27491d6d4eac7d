/* pe-preferences-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "pe-preferences-window.h"
#include "pe-settings.h"

struct _PePreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;
  GtkFileChooserNative *chooser;

  /* template */
  AdwComboRow          *source_row;
  AdwComboRow          *mode_row;
  GtkSpinButton        *resolution_spin;
  AdwComboRow          *languages_row;
  AdwComboRow          *pdfa_row;
  AdwActionRow         *outbox_row;
  GtkSwitch            *process_switch;
};

G_DEFINE_FINAL_TYPE (PePreferencesWindow, pe_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* The combo rows list these values in the order of their models in the template. */
static const char *source_values[] = { "", "flatbed", "adf", "duplex", NULL };
static const char *mode_values[] = { "color", "gray", "lineart", NULL };
static const char *languages_values[] = { "deu", "deu+eng", NULL };
static const char *pdfa_values[] = { "1b", "2b", "2u", "3b", NULL };

static gboolean
string_to_selected (GValue   *value,
                    GVariant *variant,
                    gpointer  user_data)
{
  const char * const *values = user_data;
  const char *str = g_variant_get_string (variant, NULL);

  for (guint i = 0; values[i] != NULL; i++)
    {
      if (g_str_equal (values[i], str))
        {
          g_value_set_uint (value, i);
          return TRUE;
        }
    }

  return FALSE;
}

static GVariant *
selected_to_string (const GValue       *value,
                    const GVariantType *expected_type,
                    gpointer            user_data)
{
  const char * const *values = user_data;
  guint selected = g_value_get_uint (value);

  if (selected >= g_strv_length ((char **)values))
    return NULL;

  return g_variant_new_string (values[selected]);
}

static void
bind_combo (PePreferencesWindow *self,
            const char          *key,
            AdwComboRow         *row,
            const char * const  *values)
{
  g_settings_bind_with_mapping (self->settings, key, row, "selected", G_SETTINGS_BIND_DEFAULT,
                                string_to_selected, selected_to_string,
                                (gpointer)values, NULL);
}

static void
update_outbox_row (PePreferencesWindow *self)
{
  g_autofree char *dir = pe_settings_dup_outbox_dir (self->settings);

  adw_action_row_set_subtitle (self->outbox_row, dir);
}

static void
chooser_response_cb (PePreferencesWindow  *self,
                     int                   response,
                     GtkFileChooserNative *chooser)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = folder != NULL ? g_file_get_path (folder) : NULL;

      if (path != NULL)
        g_settings_set_string (self->settings, "outbox-dir", path);
    }

  g_clear_object (&self->chooser);
}

static void
choose_outbox_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  PePreferencesWindow *self = PE_PREFERENCES_WINDOW (widget);
  g_autofree char *current = NULL;
  g_autoptr(GFile) folder = NULL;

  if (self->chooser != NULL)
    return;

  /* GtkFileChooserNative rather than GtkFileDialog (GTK 4.10): it goes through the file
   * chooser portal inside the Flatpak, which grants access to the chosen folder. */
  self->chooser = gtk_file_chooser_native_new (_("Choose Outbox Folder"),
                                               GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                               _("_Select"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);

  current = pe_settings_dup_outbox_dir (self->settings);
  folder = g_file_new_for_path (current);
  if (g_file_query_exists (folder, NULL))
    gtk_file_chooser_set_file (GTK_FILE_CHOOSER (self->chooser), folder, NULL);

  g_signal_connect_object (self->chooser, "response", G_CALLBACK (chooser_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
reset_outbox_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  PePreferencesWindow *self = PE_PREFERENCES_WINDOW (widget);

  g_settings_reset (self->settings, "outbox-dir");
}

static void
pe_preferences_window_dispose (GObject *object)
{
  PePreferencesWindow *self = (PePreferencesWindow *)object;

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_object (&self->settings);

  gtk_widget_dispose_template (GTK_WIDGET (self), PE_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (pe_preferences_window_parent_class)->dispose (object);
}

static void
pe_preferences_window_class_init (PePreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pe_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/de/posteingang/Posteingang/"
                                               "pe-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PePreferencesWindow, source_row);
  gtk_widget_class_bind_template_child (widget_class, PePreferencesWindow, mode_row);
  gtk_widget_class_bind_template_child (widget_class, PePreferencesWindow, resolution_spin);
  gtk_widget_class_bind_template_child (widget_class, PePreferencesWindow, languages_row);
  gtk_widget_class_bind_template_child (widget_class, PePreferencesWindow, pdfa_row);
  gtk_widget_class_bind_template_child (widget_class, PePreferencesWindow, outbox_row);
  gtk_widget_class_bind_template_child (widget_class, PePreferencesWindow, process_switch);

  gtk_widget_class_install_action (widget_class, "prefs.choose-outbox", NULL,
                                   choose_outbox_action);
  gtk_widget_class_install_action (widget_class, "prefs.reset-outbox", NULL,
                                   reset_outbox_action);
}

static void
pe_preferences_window_init (PePreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = pe_settings_new ();

  bind_combo (self, "source", self->source_row, source_values);
  bind_combo (self, "mode", self->mode_row, mode_values);
  bind_combo (self, "languages", self->languages_row, languages_values);
  bind_combo (self, "pdfa-level", self->pdfa_row, pdfa_values);
  g_settings_bind (self->settings, "resolution", self->resolution_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "process-while-scanning", self->process_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);

  g_signal_connect_object (self->settings, "changed::outbox-dir",
                           G_CALLBACK (update_outbox_row), self, G_CONNECT_SWAPPED);
  update_outbox_row (self);
}

PePreferencesWindow *
pe_preferences_window_new (GtkWindow *transient_for)
{
  g_return_val_if_fail (!transient_for || GTK_IS_WINDOW (transient_for), NULL);

  return g_object_new (PE_TYPE_PREFERENCES_WINDOW,
                       "transient-for", transient_for,
                       "modal", transient_for != NULL,
                       NULL);
}
