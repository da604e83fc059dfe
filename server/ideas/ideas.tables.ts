import type { Generated } from "kysely";
import type { CreatedAt } from "../db/types.ts";

export const IDEA_CATEGORIES = ["activities", "functioning"] as const;
export type IdeaCategory = (typeof IDEA_CATEGORIES)[number];
export const ANSWER_STATUSES = ["studying", "accepted", "done", "declined"] as const;
export type AnswerStatus = (typeof ANSWER_STATUSES)[number];
export type IdeaStatus = "open" | AnswerStatus;

export interface IdeaTables {
  ideas: {
    id: Generated<string>;
    author_id: string | null;
    category: IdeaCategory;
    title: string;
    body: string;
    status: Generated<IdeaStatus>;
    supports: Generated<number>;
    topic_id: string | null;
    removed_reason: string | null;
    created_at: CreatedAt;
  };
  idea_supports: { idea_id: string; user_id: string; created_at: CreatedAt };
  idea_answers: {
    id: Generated<string>;
    idea_id: string;
    status: AnswerStatus;
    body: string;
    answered_by: string | null;
    created_at: CreatedAt;
  };
  idea_forum: { id: Generated<number>; group_id: string | null };
}

declare module "../db/schema.ts" {
  interface Database extends IdeaTables {}
}
