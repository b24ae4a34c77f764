/** The sources catalog: a card per connection spec, filtered by category and searched by text. */
import { useMemo, useState } from "react";
import { Link, useApp, useLoad } from "../app-context.tsx";
import { ErrorNotice } from "../components/Notice.tsx";
import { Page } from "../components/Page.tsx";
import { fs } from "../lib/api.ts";
import { categoryCounts, categoryLabel, filterCards, type SourceCard, sourceCard } from "../lib/catalog.ts";
import { hrefs } from "../lib/routes.ts";

export function Catalog() {
  const { api, scope } = useApp();
  const specs = useLoad(() => api.list(fs("/connectionSpecs?limit=100")), [scope]);
  const [category, setCategory] = useState("");
  const [query, setQuery] = useState("");
  const cards = useMemo(
    () => (specs.data ?? []).map(sourceCard).filter((card): card is SourceCard => card !== undefined),
    [specs.data],
  );
  const shown = filterCards(cards, { category, query });
  const counts = categoryCounts(cards);

  return (
    <Page title="Sources" lead="Connect a source, select its data and create a dataflow into a dataset.">
      {specs.error ? <ErrorNotice error={specs.error} title="Could not load the connection specs" /> : null}
      <div className="catalog">
        <aside className="filters" aria-label="Filters">
          <div className="field">
            <label htmlFor="catalog-search">Search sources</label>
            <input
              id="catalog-search"
              type="search"
              value={query}
              placeholder="Name or description"
              onChange={(e) => setQuery(e.target.value)}
            />
          </div>
          <fieldset className="categories">
            <legend>Category</legend>
            <label className="choice">
              <input type="radio" name="category" value="" checked={category === ""} onChange={() => setCategory("")} />
              <span>All</span> <span className="count">{cards.length}</span>
            </label>
            {counts.map((c) => (
              <label className="choice" key={c.key}>
                <input
                  type="radio"
                  name="category"
                  value={c.key}
                  checked={category === c.key}
                  onChange={() => setCategory(c.key)}
                />
                <span>{c.label}</span> <span className="count">{c.count}</span>
              </label>
            ))}
          </fieldset>
        </aside>
        <div>
          <p className="muted" role="status" aria-live="polite">
            {specs.loading && !specs.data
              ? "Loading sources…"
              : `${shown.length} of ${cards.length} source${cards.length === 1 ? "" : "s"}`}
          </p>
          {!specs.loading && cards.length === 0 ? (
            <p>
              No sources yet. Register the examples with <code>inlet artifacts register examples/Sources</code>, or try
              a spec in the <Link href={hrefs.playground}>playground</Link>.
            </p>
          ) : null}
          <ul className="cards">
            {shown.map((card) => (
              <li key={card.id} className="card source-card">
                <div className="source-head">
                  {card.icon ? (
                    <img className="source-icon" src={card.icon} alt="" width={48} height={48} />
                  ) : (
                    <span className="source-icon monogram" aria-hidden="true">
                      {card.monogram}
                    </span>
                  )}
                  <div>
                    <h2>{card.label}</h2>
                    <p className="tags">
                      <span className="tag">{categoryLabel(card.category)}</span>
                      {card.beta ? <span className="tag beta">Beta</span> : null}
                    </p>
                  </div>
                </div>
                <p className="description">{card.description || "No description."}</p>
                <div className="card-foot">
                  <span className="muted small">{card.authTypes.join(" · ") || "No authentication"}</span>
                  <Link href={hrefs.wizard(card.id)} className="button primary">
                    Set up<span className="visually-hidden"> {card.label}</span>
                  </Link>
                </div>
              </li>
            ))}
          </ul>
        </div>
      </div>
    </Page>
  );
}
