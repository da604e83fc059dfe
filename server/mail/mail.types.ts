import type { Language } from "../accounts/accounts.tables.ts";

/** A mail to send: rendered from the `mail` catalogue at send time, in the recipient's language. */
export interface MailJob {
  to: string;
  /** Key in views/mail/mail.<lang>.json, holding `subject` and `body`. */
  template: string;
  lang: Language;
  data: Record<string, string | number>;
  /** Files sent with the mail (an activity's .ics); text content only, kept in the job. */
  attachments?: MailAttachment[];
}

export interface MailAttachment {
  filename: string;
  contentType: string;
  content: string;
}
