/* The virtual list: selection and scrolling over rows it never stores. */
#include <curses.h>

#include "widgets.h"

const struct ui_binding ui_list_bindings[] = {
	{'j', UI_ACT_DOWN, NULL, NULL},
	{UI_KEY_FN(KEY_DOWN), UI_ACT_DOWN, NULL, NULL},
	{'k', UI_ACT_UP, NULL, NULL},
	{UI_KEY_FN(KEY_UP), UI_ACT_UP, NULL, NULL},
	{UI_CTRL('d'), UI_ACT_HALF_DOWN, NULL, NULL},
	{UI_CTRL('u'), UI_ACT_HALF_UP, NULL, NULL},
	{UI_KEY_FN(KEY_NPAGE), UI_ACT_PAGE_DOWN, NULL, NULL},
	{UI_KEY_FN(KEY_PPAGE), UI_ACT_PAGE_UP, NULL, NULL},
	{'g', UI_ACT_TOP, NULL, NULL},
	{UI_KEY_FN(KEY_HOME), UI_ACT_TOP, NULL, NULL},
	{'G', UI_ACT_BOTTOM, NULL, NULL},
	{UI_KEY_FN(KEY_END), UI_ACT_BOTTOM, NULL, NULL},
};
const size_t ui_list_nbindings = sizeof ui_list_bindings / sizeof ui_list_bindings[0];

void ui_list_set_count(struct ui_list *l, long count)
{
	l->count = count;
	if (count == 0) {
		l->sel = -1;
		l->top = 0;
		return;
	}
	if (l->sel < 0)
		l->sel = 0;
	if (l->sel >= count)
		l->sel = count - 1;
	if (l->top > l->sel)
		l->top = l->sel;
}

static void keep_visible(struct ui_list *l)
{
	int page = l->page > 0 ? l->page : 1;
	if (l->sel < l->top)
		l->top = l->sel;
	if (l->sel >= l->top + page)
		l->top = l->sel - page + 1;
	if (l->top < 0)
		l->top = 0;
}

void ui_list_draw(struct ui_list *l, struct ui_rect r, ui_list_row_fn draw_row, void *ctx)
{
	l->page = r.h;
	keep_visible(l);
	for (int i = 0; i < r.h; i++) {
		long idx = l->top + i;
		struct ui_rect row = {r.y + i, r.x, 1, r.w};
		if (idx < l->count)
			draw_row(ctx, idx, row, idx == l->sel);
	}
}

enum ui_result ui_list_act(struct ui_list *l, enum ui_action a)
{
	if (l->count == 0)
		return a == UI_ACT_UP || a == UI_ACT_DOWN || a == UI_ACT_TOP || a == UI_ACT_BOTTOM ||
				       a == UI_ACT_PAGE_UP || a == UI_ACT_PAGE_DOWN ||
				       a == UI_ACT_HALF_UP || a == UI_ACT_HALF_DOWN
			       ? UI_HANDLED
			       : UI_UNHANDLED;
	long page = l->page > 0 ? l->page : 1;
	long to = l->sel;
	switch (a) {
	case UI_ACT_DOWN:
		to++;
		break;
	case UI_ACT_UP:
		to--;
		break;
	case UI_ACT_PAGE_DOWN:
		to += page;
		l->top += page;
		break;
	case UI_ACT_PAGE_UP:
		to -= page;
		l->top -= page;
		break;
	case UI_ACT_HALF_DOWN:
		to += page / 2;
		l->top += page / 2;
		break;
	case UI_ACT_HALF_UP:
		to -= page / 2;
		l->top -= page / 2;
		break;
	case UI_ACT_TOP:
		to = 0;
		break;
	case UI_ACT_BOTTOM:
		to = l->count - 1;
		break;
	default:
		return UI_UNHANDLED;
	}
	if (to < 0)
		to = 0;
	if (to >= l->count)
		to = l->count - 1;
	l->sel = to;
	if (l->top > l->count - page)
		l->top = l->count - page;
	if (l->top < 0)
		l->top = 0;
	keep_visible(l);
	return UI_HANDLED;
}
