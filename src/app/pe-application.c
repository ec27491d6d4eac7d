/* pe-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "pe-application.h"
#include "pe-preferences-window.h"
#include "pe-window.h"

struct _PeApplication
{
  AdwApplication  parent_instance;

  PePipeline     *pipeline;
};

G_DEFINE_FINAL_TYPE (PeApplication, pe_application, ADW_TYPE_APPLICATION)

void
pe_application_init_i18n (void)
{
  const char *localedir = g_getenv ("PE_LOCALEDIR");

  if (localedir == NULL || localedir[0] == '\0')
    localedir = LOCALEDIR;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

PeApplication *
pe_application_new (void)
{
  return g_object_new (PE_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/de/posteingang/Posteingang",
                       NULL);
}

PePipeline *
pe_application_get_pipeline (PeApplication  *self,
                             GError        **error)
{
  g_autofree char *store_dir = NULL;
  const char *env;

  g_return_val_if_fail (PE_IS_APPLICATION (self), NULL);

  if (self->pipeline != NULL)
    return self->pipeline;

  env = g_getenv ("PE_STORE_DIR");
  if (env != NULL && env[0] != '\0')
    store_dir = g_strdup (env);
  else
    store_dir = g_build_filename (g_get_user_data_dir (), "posteingang", NULL);

  self->pipeline = pe_pipeline_new (store_dir, error);

  return self->pipeline;
}

static void
pe_application_activate (GApplication *app)
{
  GtkWindow *window;

  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  if (window == NULL)
    window = GTK_WINDOW (pe_window_new (PE_APPLICATION (app)));

  gtk_window_present (window);
}

static void
pe_application_dispose (GObject *object)
{
  PeApplication *self = (PeApplication *)object;

  /* A process task finishing in a worker thread may still hold the pipeline; the engines must
   * not outlive main () (see pe_pipeline_release_ocr()). */
  if (self->pipeline != NULL)
    pe_pipeline_release_ocr (self->pipeline);
  g_clear_object (&self->pipeline);

  G_OBJECT_CLASS (pe_application_parent_class)->dispose (object);
}

static void
pe_application_class_init (PeApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = pe_application_dispose;
  app_class->activate = pe_application_activate;
}

static void
pe_application_about_action (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  static const char *developers[] = { "The Posteingang developers", NULL };
  GtkApplication *app = GTK_APPLICATION (user_data);
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (app),
                        "modal", TRUE,
                        "application-name", _("Posteingang"),
                        "application-icon", APP_ID,
                        "developer-name", _("The Posteingang developers"),
                        "developers", developers,
                        "version", PACKAGE_VERSION,
                        "comments", _("Scan incoming mail, recognise the text and deliver "
                                      "searchable PDF/A documents to the outbox."),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        /* Translators: your name and e-mail, one per line */
                        "translator-credits", _("translator-credits"),
                        NULL);

  gtk_window_present (GTK_WINDOW (about));
}

static void
pe_application_preferences_action (GSimpleAction *action,
                                   GVariant      *parameter,
                                   gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  PePreferencesWindow *prefs;

  prefs = pe_preferences_window_new (gtk_application_get_active_window (app));
  gtk_window_present (GTK_WINDOW (prefs));
}

static void
pe_application_shortcuts_action (GSimpleAction *action,
                                 GVariant      *parameter,
                                 gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  g_autoptr(GtkBuilder) builder = NULL;
  GtkWindow *shortcuts;

  /* libadwaita 1.2 has no AdwShortcutsDialog; a fresh GtkShortcutsWindow per request keeps
   * no hidden window alive between uses. */
  builder = gtk_builder_new_from_resource ("/de/posteingang/Posteingang/help-overlay.ui");
  shortcuts = GTK_WINDOW (gtk_builder_get_object (builder, "help_overlay"));
  gtk_window_set_transient_for (shortcuts, gtk_application_get_active_window (app));
  gtk_window_set_modal (shortcuts, TRUE);
  gtk_window_present (shortcuts);
}

static void
pe_application_quit_action (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  GList *windows;

  /* Closing the windows (rather than g_application_quit) lets each one cancel its scan
   * and save its size. */
  while ((windows = gtk_application_get_windows (app)) != NULL)
    gtk_window_destroy (GTK_WINDOW (windows->data));
}

static const GActionEntry app_actions[] = {
  { "about", pe_application_about_action },
  { "preferences", pe_application_preferences_action },
  { "shortcuts", pe_application_shortcuts_action },
  { "quit", pe_application_quit_action },
};

static void
pe_application_init (PeApplication *self)
{
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *prefs_accels[] = { "<Control>comma", NULL };
  static const char *shortcuts_accels[] = { "<Control>question", NULL };
  static const char *close_accels[] = { "<Control>w", NULL };

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);

  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences",
                                         prefs_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.shortcuts",
                                         shortcuts_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "window.close",
                                         close_accels);
}
