/** Imitation APIs for tests and the benchmark: each start function returns `{url, close, stats}`. */
export { type MailchimpOptions, makeMember, startMailchimp } from "./mailchimp.ts";
export { type OAuthImitation, type OAuthOptions, startOAuthProvider } from "./oauth.ts";
export { startPagedApi, startPointerApi } from "./paged.ts";
export { type Handler, type Imitation, type ImitationStats, sendJson, startImitation } from "./server.ts";
export { startZendesk, type ZendeskOptions } from "./zendesk.ts";
