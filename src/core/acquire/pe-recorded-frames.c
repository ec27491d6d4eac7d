/* pe-recorded-frames.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sane/saneopts.h>
#include <string.h>

#include "pe-recorded-frames.h"

enum {
  OPT_COUNT,
  OPT_MODE,
  OPT_RESOLUTION,
  OPT_BRIGHTNESS,
  OPT_SOURCE,
  N_OPTIONS
};

#define STRING_SIZE 64

typedef enum {
  ENTRY_PAGE,
  ENTRY_START_FAULT,
} EntryKind;

typedef struct
{
  EntryKind        kind;
  SANE_Status      status;     /* START_FAULT: what start returns; PAGE: fault halfway or GOOD */
  gboolean         unplug;     /* PAGE: the fault is the device going away */
  SANE_Parameters  params;
  GBytes          *data;
} Entry;

struct _PeRecordedFrames
{
  GObject                 parent_instance;

  SANE_Option_Descriptor  desc[N_OPTIONS];
  SANE_Range              resolution_range;
  SANE_Range              brightness_range;
  char                  **sources;
  char                    mode[STRING_SIZE];
  char                    source[STRING_SIZE];
  SANE_Word               resolution;
  SANE_Word               brightness;

  GQueue                  queue;     /* Entry */
  Entry                  *current;   /* page being read */
  gsize                   pos;
  gboolean                unplugged;
};

static void frame_source_iface_init (PeFrameSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PeRecordedFrames, pe_recorded_frames, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PE_TYPE_FRAME_SOURCE,
                                                      frame_source_iface_init))

static const SANE_String_Const mode_list[] = { "Lineart", "Gray", "Color", NULL };

static void
entry_free (gpointer data)
{
  Entry *e = data;

  g_clear_pointer (&e->data, g_bytes_unref);
  g_free (e);
}

static void
pe_recorded_frames_finalize (GObject *object)
{
  PeRecordedFrames *self = (PeRecordedFrames *) object;

  g_queue_clear_full (&self->queue, entry_free);
  g_clear_pointer (&self->current, entry_free);
  g_strfreev (self->sources);

  G_OBJECT_CLASS (pe_recorded_frames_parent_class)->finalize (object);
}

static void
pe_recorded_frames_class_init (PeRecordedFramesClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pe_recorded_frames_finalize;
}

static void
pe_recorded_frames_init (PeRecordedFrames *self)
{
  g_queue_init (&self->queue);
}

static guint
n_options (PeRecordedFrames *self)
{
  return self->sources != NULL ? N_OPTIONS : OPT_SOURCE;
}

/* --- PeFrameSource ----------------------------------------------------------------------- */

static const SANE_Option_Descriptor *
recorded_get_option_descriptor (PeFrameSource *source,
                                SANE_Int       option)
{
  PeRecordedFrames *self = PE_RECORDED_FRAMES (source);

  if (option < 0 || (guint) option >= n_options (self))
    return NULL;
  return &self->desc[option];
}

static gboolean
string_in_list (const char              *value,
                const SANE_String_Const *list)
{
  for (guint i = 0; list[i] != NULL; i++)
    if (strcmp (list[i], value) == 0)
      return TRUE;
  return FALSE;
}

static SANE_Status
recorded_control_option (PeFrameSource *source,
                         SANE_Int       option,
                         SANE_Action    action,
                         void          *value,
                         SANE_Int      *info)
{
  PeRecordedFrames *self = PE_RECORDED_FRAMES (source);
  SANE_Word *word = value;
  char *string = value;

  if (self->unplugged)
    return SANE_STATUS_IO_ERROR;
  if (option < 0 || (guint) option >= n_options (self) || value == NULL)
    return SANE_STATUS_INVAL;

  if (action == SANE_ACTION_GET_VALUE)
    {
      switch (option)
        {
        case OPT_COUNT: *word = n_options (self); break;
        case OPT_MODE: g_strlcpy (string, self->mode, STRING_SIZE); break;
        case OPT_RESOLUTION: *word = self->resolution; break;
        case OPT_BRIGHTNESS: *word = self->brightness; break;
        case OPT_SOURCE: g_strlcpy (string, self->source, STRING_SIZE); break;
        default: return SANE_STATUS_INVAL;
        }
      return SANE_STATUS_GOOD;
    }

  if (action != SANE_ACTION_SET_VALUE || option == OPT_COUNT)
    return SANE_STATUS_UNSUPPORTED;
  /* Options can only be set while the device is idle. */
  if (self->current != NULL)
    return SANE_STATUS_DEVICE_BUSY;

  switch (option)
    {
    case OPT_MODE:
      if (!string_in_list (string, mode_list))
        return SANE_STATUS_INVAL;
      g_strlcpy (self->mode, string, STRING_SIZE);
      break;
    case OPT_SOURCE:
      if (!string_in_list (string, (const SANE_String_Const *) self->sources))
        return SANE_STATUS_INVAL;
      g_strlcpy (self->source, string, STRING_SIZE);
      break;
    case OPT_RESOLUTION:
      if (*word < self->resolution_range.min || *word > self->resolution_range.max)
        return SANE_STATUS_INVAL;
      self->resolution = *word;
      break;
    case OPT_BRIGHTNESS:
      if (*word < self->brightness_range.min || *word > self->brightness_range.max)
        return SANE_STATUS_INVAL;
      self->brightness = *word;
      break;
    default:
      return SANE_STATUS_INVAL;
    }

  if (info != NULL)
    *info |= SANE_INFO_RELOAD_PARAMS;
  return SANE_STATUS_GOOD;
}

static SANE_Status
recorded_start (PeFrameSource *source)
{
  PeRecordedFrames *self = PE_RECORDED_FRAMES (source);
  Entry *e;

  if (self->unplugged)
    return SANE_STATUS_IO_ERROR;

  g_clear_pointer (&self->current, entry_free);

  e = g_queue_pop_head (&self->queue);
  if (e == NULL)
    return SANE_STATUS_NO_DOCS;

  if (e->kind == ENTRY_START_FAULT)
    {
      SANE_Status status = e->status;

      entry_free (e);
      return status;
    }

  self->current = e;
  self->pos = 0;
  return SANE_STATUS_GOOD;
}

static SANE_Status
recorded_get_parameters (PeFrameSource   *source,
                         SANE_Parameters *params)
{
  PeRecordedFrames *self = PE_RECORDED_FRAMES (source);

  if (self->unplugged)
    return SANE_STATUS_IO_ERROR;
  if (self->current == NULL)
    return SANE_STATUS_INVAL;

  *params = self->current->params;
  return SANE_STATUS_GOOD;
}

static SANE_Status
recorded_read (PeFrameSource *source,
               SANE_Byte     *data,
               SANE_Int       max_length,
               SANE_Int      *length)
{
  PeRecordedFrames *self = PE_RECORDED_FRAMES (source);
  gsize size;
  gsize end;
  gsize n;
  const guint8 *bytes;

  if (self->unplugged)
    return SANE_STATUS_IO_ERROR;
  if (self->current == NULL)
    return SANE_STATUS_INVAL;

  bytes = g_bytes_get_data (self->current->data, &size);
  end = size;
  if (self->current->status != SANE_STATUS_GOOD)
    {
      /* Half the lines, then the fault. */
      end = (gsize) (self->current->params.lines / 2) * self->current->params.bytes_per_line;
      if (self->pos >= end)
        {
          SANE_Status status = self->current->status;

          self->unplugged = self->current->unplug;
          g_clear_pointer (&self->current, entry_free);
          return status;
        }
    }

  if (self->pos >= end)
    {
      g_clear_pointer (&self->current, entry_free);
      return SANE_STATUS_EOF;
    }

  n = MIN ((gsize) max_length, end - self->pos);
  memcpy (data, bytes + self->pos, n);
  self->pos += n;
  *length = (SANE_Int) n;
  return SANE_STATUS_GOOD;
}

static void
recorded_cancel (PeFrameSource *source)
{
  PeRecordedFrames *self = PE_RECORDED_FRAMES (source);

  g_clear_pointer (&self->current, entry_free);
}

static void
frame_source_iface_init (PeFrameSourceInterface *iface)
{
  iface->get_option_descriptor = recorded_get_option_descriptor;
  iface->control_option = recorded_control_option;
  iface->start = recorded_start;
  iface->get_parameters = recorded_get_parameters;
  iface->read = recorded_read;
  iface->cancel = recorded_cancel;
}

/* --- public ------------------------------------------------------------------------------ */

PeRecordedFrames *
pe_recorded_frames_new (const char *const *sources)
{
  PeRecordedFrames *self = g_object_new (PE_TYPE_RECORDED_FRAMES, NULL);
  SANE_Option_Descriptor *d = self->desc;

  g_return_val_if_fail (sources == NULL || sources[0] != NULL, NULL);

  self->sources = g_strdupv ((char **) sources);
  self->resolution_range = (SANE_Range) { 50, 1200, 1 };
  self->brightness_range = (SANE_Range) { -100, 100, 1 };
  g_strlcpy (self->mode, "Gray", STRING_SIZE);
  self->resolution = 300;
  if (sources != NULL)
    g_strlcpy (self->source, sources[0], STRING_SIZE);

  d[OPT_COUNT] = (SANE_Option_Descriptor) {
    SANE_NAME_NUM_OPTIONS, SANE_TITLE_NUM_OPTIONS, SANE_DESC_NUM_OPTIONS, SANE_TYPE_INT,
    SANE_UNIT_NONE, sizeof (SANE_Word), SANE_CAP_SOFT_DETECT, SANE_CONSTRAINT_NONE, { NULL } };
  d[OPT_MODE] = (SANE_Option_Descriptor) {
    SANE_NAME_SCAN_MODE, SANE_TITLE_SCAN_MODE, SANE_DESC_SCAN_MODE, SANE_TYPE_STRING,
    SANE_UNIT_NONE, STRING_SIZE, SANE_CAP_SOFT_SELECT | SANE_CAP_SOFT_DETECT,
    SANE_CONSTRAINT_STRING_LIST, { .string_list = mode_list } };
  d[OPT_RESOLUTION] = (SANE_Option_Descriptor) {
    SANE_NAME_SCAN_RESOLUTION, SANE_TITLE_SCAN_RESOLUTION, SANE_DESC_SCAN_RESOLUTION,
    SANE_TYPE_INT, SANE_UNIT_DPI, sizeof (SANE_Word),
    SANE_CAP_SOFT_SELECT | SANE_CAP_SOFT_DETECT, SANE_CONSTRAINT_RANGE,
    { .range = &self->resolution_range } };
  d[OPT_BRIGHTNESS] = (SANE_Option_Descriptor) {
    SANE_NAME_BRIGHTNESS, SANE_TITLE_BRIGHTNESS, SANE_DESC_BRIGHTNESS, SANE_TYPE_INT,
    SANE_UNIT_NONE, sizeof (SANE_Word), SANE_CAP_SOFT_SELECT | SANE_CAP_SOFT_DETECT,
    SANE_CONSTRAINT_RANGE, { .range = &self->brightness_range } };
  d[OPT_SOURCE] = (SANE_Option_Descriptor) {
    SANE_NAME_SCAN_SOURCE, SANE_TITLE_SCAN_SOURCE, SANE_DESC_SCAN_SOURCE, SANE_TYPE_STRING,
    SANE_UNIT_NONE, STRING_SIZE, SANE_CAP_SOFT_SELECT | SANE_CAP_SOFT_DETECT,
    SANE_CONSTRAINT_STRING_LIST, { .string_list = (const SANE_String_Const *) self->sources } };

  return self;
}

/* SANE frames are rows of bytes, first pixel first; Leptonica keeps native 32-bit words with
 * the first pixel in the most significant byte. */
static Entry *
entry_from_pix (PIX *pix)
{
  Entry *e = g_new0 (Entry, 1);
  guint w = pixGetWidth (pix);
  guint h = pixGetHeight (pix);
  guint depth = pixGetDepth (pix);
  gsize bpl;
  guint8 *out;

  g_return_val_if_fail (depth == 1 || depth == 8 || depth == 32, NULL);

  e->kind = ENTRY_PAGE;
  e->status = SANE_STATUS_GOOD;
  e->params.format = depth == 32 ? SANE_FRAME_RGB : SANE_FRAME_GRAY;
  e->params.last_frame = SANE_TRUE;
  e->params.pixels_per_line = w;
  e->params.lines = h;
  e->params.depth = depth == 1 ? 1 : 8;
  e->params.bytes_per_line = depth == 1 ? (w + 7) / 8 : depth == 8 ? w : 3 * w;

  bpl = e->params.bytes_per_line;
  out = g_malloc ((gsize) bpl * h);
  for (guint y = 0; y < h; y++)
    {
      const l_uint32 *line = pixGetData (pix) + (gsize) y * pixGetWpl (pix);
      guint8 *row = out + (gsize) y * bpl;

      if (depth == 32)
        for (guint x = 0; x < w; x++)
          {
            l_int32 r, g, b;

            extractRGBValues (line[x], &r, &g, &b);
            row[3 * x] = r;
            row[3 * x + 1] = g;
            row[3 * x + 2] = b;
          }
      else
        for (gsize x = 0; x < bpl; x++)
          row[x] = GET_DATA_BYTE (line, x);

      /* SANE leaves the bits after the last pixel undefined; make them white (0). */
      if (depth == 1 && w % 8 != 0)
        row[bpl - 1] &= (guint8) (0xff << (8 - w % 8));
    }

  e->data = g_bytes_new_take (out, (gsize) bpl * h);
  return e;
}

void
pe_recorded_frames_add_pix (PeRecordedFrames *self,
                            PIX              *pix)
{
  g_return_if_fail (PE_IS_RECORDED_FRAMES (self));
  g_return_if_fail (pix != NULL);

  g_queue_push_tail (&self->queue, entry_from_pix (pix));
}

void
pe_recorded_frames_add_start_fault (PeRecordedFrames *self,
                                    SANE_Status       status)
{
  Entry *e;

  g_return_if_fail (PE_IS_RECORDED_FRAMES (self));
  g_return_if_fail (status != SANE_STATUS_GOOD);

  e = g_new0 (Entry, 1);
  e->kind = ENTRY_START_FAULT;
  e->status = status;
  g_queue_push_tail (&self->queue, e);
}

void
pe_recorded_frames_add_read_fault (PeRecordedFrames *self,
                                   PIX              *pix,
                                   SANE_Status       status)
{
  Entry *e;

  g_return_if_fail (PE_IS_RECORDED_FRAMES (self));
  g_return_if_fail (status != SANE_STATUS_GOOD && status != SANE_STATUS_EOF);

  e = entry_from_pix (pix);
  e->status = status;
  g_queue_push_tail (&self->queue, e);
}

void
pe_recorded_frames_add_unplug (PeRecordedFrames *self,
                               PIX              *pix)
{
  Entry *e;

  g_return_if_fail (PE_IS_RECORDED_FRAMES (self));

  e = entry_from_pix (pix);
  e->status = SANE_STATUS_IO_ERROR;
  e->unplug = TRUE;
  g_queue_push_tail (&self->queue, e);
}

guint
pe_recorded_frames_get_n_queued (PeRecordedFrames *self)
{
  g_return_val_if_fail (PE_IS_RECORDED_FRAMES (self), 0);

  return self->queue.length;
}

char *
pe_recorded_frames_dup_option (PeRecordedFrames *self,
                               const char       *name)
{
  g_return_val_if_fail (PE_IS_RECORDED_FRAMES (self), NULL);

  if (g_strcmp0 (name, SANE_NAME_SCAN_MODE) == 0)
    return g_strdup (self->mode);
  if (g_strcmp0 (name, SANE_NAME_SCAN_SOURCE) == 0 && self->sources != NULL)
    return g_strdup (self->source);
  if (g_strcmp0 (name, SANE_NAME_SCAN_RESOLUTION) == 0)
    return g_strdup_printf ("%d", self->resolution);
  if (g_strcmp0 (name, SANE_NAME_BRIGHTNESS) == 0)
    return g_strdup_printf ("%d", self->brightness);
  return NULL;
}
