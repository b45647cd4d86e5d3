<#ftl output_format="HTML">
<#-- Monthly report email (HTML; values are escaped). The body it gets: title ("October 2026"), month ("2026-10"),
     rows (follower_id, name, trading_days, realized, unrealized, fees, net, commission) and total. The same figures
     are attached as CSV. -->
<html>
<body style="font-family: sans-serif">
<h2>Monthly report ${body.title}</h2>
<table border="1" cellpadding="4" cellspacing="0">
  <tr><th>Follower</th><th>Name</th><th>Days</th><th>Realized</th><th>Unrealized</th><th>Fees</th><th>Net</th><th>Commission</th></tr>
<#list body.rows as r>
  <tr><td>${r.follower_id?c}</td><td>${r.name}</td><td>${r.trading_days?c}</td><td align="right">${r.realized}</td><td align="right">${r.unrealized}</td><td align="right">${r.fees}</td><td align="right">${r.net}</td><td align="right">${r.commission}</td></tr>
</#list>
  <tr><th colspan="3">Total</th><th align="right">${body.total.realized}</th><th align="right">${body.total.unrealized}</th><th align="right">${body.total.fees}</th><th align="right">${body.total.net}</th><th align="right">${body.total.commission}</th></tr>
</table>
<p>The attached CSV holds the same figures.</p>
</body>
</html>
