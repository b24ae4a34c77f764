import { Component, type ReactNode } from "react";

/** A page that fails to render says so, instead of leaving the console blank. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | undefined }> {
  override state: { error: Error | undefined } = { error: undefined };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <section className="page">
        <h1>This page failed</h1>
        <div className="notice error" role="alert">
          <p>{this.state.error.message}</p>
          <p>
            <a href={window.location.pathname}>Reload the page</a> or go to the <a href="/sources">sources</a>.
          </p>
        </div>
      </section>
    );
  }
}
