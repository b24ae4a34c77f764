/** Imitation APIs for the engine's tests: each start function returns `{url, close, stats}`. */
export { startEcho } from "./echo.ts";
export {
  basicAuthSpec,
  collect,
  connectionSpec,
  fastHttp,
  imitations,
  keyAuthSpec,
  oauthAuthSpec,
} from "./harness.ts";
export { type MailchimpOptions, makeMember, startMailchimp } from "./mailchimp.ts";
export { type OAuthImitation, type OAuthOptions, startOAuthProvider } from "./oauth.ts";
export { startPagedApi, startPointerApi } from "./paged.ts";
export { type Handler, type Imitation, type ImitationStats, sendJson, startImitation } from "./server.ts";
export { startZendesk, type ZendeskOptions, zendeskParams, zendeskSpec } from "./zendesk.ts";
