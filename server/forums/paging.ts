// Small pages everywhere: long lists are slow on old PCs and hard to follow for everybody.
export const TOPICS_PER_PAGE = 20;
export const POSTS_PER_PAGE = 20;
export const GROUPS_PER_PAGE = 20;
export const LOG_PER_PAGE = 30;
export const REPORTS_PER_PAGE = 20;
export const RESULTS_PER_PAGE = 20;

/** `?page=` as a page number from 1; anything else is page 1. */
export function pageParam(value: unknown): number {
  const page = typeof value === "string" && /^\d{1,6}$/.test(value) ? Number(value) : 1;
  return Math.max(1, page);
}

export interface Pager {
  page: number;
  pages: number;
  previous: number | undefined;
  next: number | undefined;
}

export function pager(total: number, page: number, size: number): Pager {
  const pages = Math.max(1, Math.ceil(total / size));
  return {
    page,
    pages,
    previous: page > 1 ? Math.min(page - 1, pages) : undefined,
    next: page < pages ? page + 1 : undefined,
  };
}

export const pageOfPosition = (position: number) => Math.ceil(position / POSTS_PER_PAGE);

/** The path of a post: its topic, at the page that shows it, scrolled to it. */
export const postPath = (topicId: string, position: number) =>
  `/topics/${topicId}?page=${pageOfPosition(position)}#post-${position}`;
