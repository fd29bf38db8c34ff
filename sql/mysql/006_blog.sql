-- The blog: posts written in Markdown (body_html is the sanitised rendering, made at save),
-- and one row per reader per emoji per post, so reaction counts are COUNT(*) and exact.
CREATE TABLE posts (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    author_id BIGINT NOT NULL,
    slug VARCHAR(120) NOT NULL,
    title VARCHAR(150) NOT NULL,
    summary VARCHAR(300) NOT NULL,
    body_md MEDIUMTEXT NOT NULL,
    body_html MEDIUMTEXT NOT NULL,
    category VARCHAR(20) NOT NULL,
    status VARCHAR(10) NOT NULL,
    published_at DATETIME NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    UNIQUE KEY uq_posts_slug (slug),
    KEY ix_posts_listing (status, published_at),
    KEY ix_posts_category (status, category, published_at),
    KEY ix_posts_author (author_id),
    CONSTRAINT fk_posts_author FOREIGN KEY (author_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT ck_posts_category CHECK (category IN ('diy', 'home_improvement', 'service_reviews')),
    CONSTRAINT ck_posts_status CHECK (status IN ('draft', 'pending', 'published'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE reactions (
    post_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    emoji VARCHAR(20) NOT NULL,
    created_at DATETIME NOT NULL,
    PRIMARY KEY (post_id, user_id, emoji),
    KEY ix_reactions_user (user_id),
    CONSTRAINT fk_reactions_post FOREIGN KEY (post_id) REFERENCES posts (id) ON DELETE CASCADE,
    CONSTRAINT fk_reactions_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
