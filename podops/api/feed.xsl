<?xml version="1.0" encoding="UTF-8"?>
<!--
  A podops feed opened in a browser, as a page (podops.api.show_page serves this file at
  /f/feed.xsl; every public feed names it). Podcast apps never read it. It writes no script
  and copies no markup from the feed: every value is written as text, and HTML notes are
  shown with their tags taken out.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
    exclude-result-prefixes="atom itunes">
  <xsl:output method="html" encoding="UTF-8" indent="no"/>

  <xsl:template match="/">
    <html lang="en">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width,initial-scale=1"/>
        <title><xsl:value-of select="/rss/channel/title"/> (podcast feed)</title>
        <style>
body{font:16px/1.55 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7fb}
main{max-width:52em;margin:0 auto;padding:1.5em}
.about{background:#1d2330;color:#fff;padding:.8em 1.5em}.about code{word-break:break-all}
header.show{display:flex;gap:1.5em;align-items:flex-start;flex-wrap:wrap}
header.show img{width:12em;height:12em;border-radius:8px;object-fit:cover;background:#dde}
article{background:#fff;border:1px solid #dde;border-radius:6px;margin:1em 0;padding:.6em 1em}
article h2{font-size:1.15em;margin:.2em 0}.meta{color:#5a6275;font-size:.9em}
audio{width:100%;margin:.4em 0}
        </style>
      </head>
      <body>
        <p class="about">This is a podcast feed: copy its address from the address bar into
          your podcast app to subscribe.<xsl:if test="/rss/channel/atom:link[@rel='self']">
          The address: <code><xsl:value-of select="/rss/channel/atom:link[@rel='self']/@href"/></code>
          </xsl:if></p>
        <main>
          <xsl:apply-templates select="/rss/channel"/>
        </main>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="channel">
    <header class="show">
      <xsl:if test="starts-with(itunes:image/@href, 'http')">
        <img src="{itunes:image/@href}" alt="artwork"/>
      </xsl:if>
      <div>
        <h1><xsl:value-of select="title"/></h1>
        <p><xsl:call-template name="text">
          <xsl:with-param name="html" select="description"/>
        </xsl:call-template></p>
      </div>
    </header>
    <xsl:apply-templates select="item"/>
    <xsl:if test="starts-with(atom:link[@rel='prev-archive']/@href, 'http')">
      <p><a href="{atom:link[@rel='prev-archive']/@href}">Older episodes</a></p>
    </xsl:if>
  </xsl:template>

  <xsl:template match="item">
    <article>
      <h2><xsl:value-of select="title"/></h2>
      <p class="meta"><xsl:value-of select="pubDate"/></p>
      <xsl:if test="starts-with(enclosure/@url, 'http')">
        <audio controls="controls" preload="none" src="{enclosure/@url}">
          <a href="{enclosure/@url}">Download the episode</a>
        </audio>
      </xsl:if>
      <p><xsl:call-template name="text">
        <xsl:with-param name="html" select="description"/>
      </xsl:call-template></p>
    </article>
  </xsl:template>

  <!-- HTML as plain text: each <tag> taken out, the text between written as text. -->
  <xsl:template name="text">
    <xsl:param name="html"/>
    <xsl:choose>
      <xsl:when test="contains($html, '&lt;')">
        <xsl:value-of select="substring-before($html, '&lt;')"/>
        <xsl:call-template name="text">
          <xsl:with-param name="html"
              select="substring-after(substring-after($html, '&lt;'), '&gt;')"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$html"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>
</xsl:stylesheet>
