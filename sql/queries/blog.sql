-- name: insert_post
-- A new post; body_html is already rendered and sanitised.
INSERT INTO posts (author_id, slug, title, summary, body_md, body_html, category, status, published_at, created_at, updated_at)
VALUES (:author_id, :slug, :title, :summary, :body_md, :body_html, :category, :status, :published_at, :now, :now);

-- name: select_post_by_slug
-- One post of any status, with its author's name.
SELECT p.id, p.author_id, p.slug, p.title, p.summary, p.body_md, p.body_html, p.category, p.status,
       p.published_at, p.created_at, p.updated_at, u.name AS author_name
FROM posts p JOIN users u ON u.id = p.author_id
WHERE p.slug = :slug;

-- name: select_post_id_by_slug
SELECT id FROM posts WHERE slug = :slug;

-- name: update_post
-- An edit: the text, the category and (for a provider's edit) the status.
UPDATE posts SET title = :title, summary = :summary, body_md = :body_md, body_html = :body_html,
       category = :category, status = :status, updated_at = :now
WHERE id = :id;

-- name: publish_post
-- The first publication sets published_at; publishing again keeps the original date.
UPDATE posts SET status = 'published', published_at = COALESCE(published_at, :now), updated_at = :now
WHERE id = :id;

-- name: unpublish_post
UPDATE posts SET status = 'draft', updated_at = :now WHERE id = :id;

-- name: select_published_posts
-- One page of the blog, newest first; an empty :category means every category.
SELECT p.id, p.slug, p.title, p.summary, p.category, p.published_at, u.name AS author_name
FROM posts p JOIN users u ON u.id = p.author_id
WHERE p.status = 'published' AND (:category = '' OR p.category = :category)
ORDER BY p.published_at DESC, p.id DESC
LIMIT :limit OFFSET :offset;

-- name: count_published_posts
SELECT COUNT(*) AS n FROM posts
WHERE status = 'published' AND (:category = '' OR category = :category);

-- name: select_page_reaction_counts
-- Reaction counts by emoji for the posts on one page of the blog (the same filter and order).
SELECT r.post_id, r.emoji, COUNT(*) AS n
FROM reactions r
JOIN (SELECT id FROM posts
      WHERE status = 'published' AND (:category = '' OR category = :category)
      ORDER BY published_at DESC, id DESC
      LIMIT :limit OFFSET :offset) page ON page.id = r.post_id
GROUP BY r.post_id, r.emoji;

-- name: select_unpublished_posts
-- Drafts and posts waiting for review, for admins: pending first, newest first.
SELECT p.id, p.slug, p.title, p.status, p.updated_at, u.name AS author_name
FROM posts p JOIN users u ON u.id = p.author_id
WHERE p.status <> 'published'
ORDER BY CASE p.status WHEN 'pending' THEN 0 ELSE 1 END, p.updated_at DESC, p.id DESC;

-- name: select_author_posts
-- Everything one author has written, newest first.
SELECT p.id, p.slug, p.title, p.status, p.updated_at, u.name AS author_name
FROM posts p JOIN users u ON u.id = p.author_id
WHERE p.author_id = :author_id
ORDER BY p.updated_at DESC, p.id DESC;

-- name: select_reaction
-- Whether this reader has this emoji on this post.
SELECT emoji FROM reactions WHERE post_id = :post_id AND user_id = :user_id AND emoji = :emoji;

-- name: insert_reaction
INSERT INTO reactions (post_id, user_id, emoji, created_at) VALUES (:post_id, :user_id, :emoji, :now);

-- name: delete_reaction
DELETE FROM reactions WHERE post_id = :post_id AND user_id = :user_id AND emoji = :emoji;

-- name: select_reaction_counts
-- Counts by emoji for one post: derived from the rows, so exact under concurrency.
SELECT emoji, COUNT(*) AS n FROM reactions WHERE post_id = :post_id GROUP BY emoji;

-- name: select_reader_reactions
SELECT emoji FROM reactions WHERE post_id = :post_id AND user_id = :user_id;
