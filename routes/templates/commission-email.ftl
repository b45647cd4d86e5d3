<#-- Commission email, one per payable row. The body it gets: name, period ("October 2026"), amount ("1234.50"),
     currency, followerId, year, month (numbers: use ?c, or 2026 prints as "2,026"). Plain text. Edit freely; the next run uses the new text. -->
Dear ${body.name},

your commission for ${body.period} is ${body.amount} ${body.currency}.

It will be paid to the account on file within five business days. Reply to this email if anything looks wrong.

Reference: commission/${body.followerId?c}/${body.year?c}/${body.month?c}

Kind regards,
Trading Operations
