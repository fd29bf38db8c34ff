-- The blog: posts written in Markdown (body_html is the sanitised rendering, made at save),
-- and one row per reader per emoji per post, so reaction counts are COUNT(*) and exact.
CREATE TABLE posts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    author_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    body_md TEXT NOT NULL,
    body_html TEXT NOT NULL,
    category TEXT NOT NULL CHECK (category IN ('diy', 'home_improvement', 'service_reviews')),
    status TEXT NOT NULL CHECK (status IN ('draft', 'pending', 'published')),
    published_at DATETIME NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE INDEX ix_posts_listing ON posts (status, published_at);
CREATE INDEX ix_posts_category ON posts (status, category, published_at);
CREATE INDEX ix_posts_author ON posts (author_id);

CREATE TABLE reactions (
    post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    emoji TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    PRIMARY KEY (post_id, user_id, emoji)
);
CREATE INDEX ix_reactions_user ON reactions (user_id);
